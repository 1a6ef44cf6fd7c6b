import type { Parsed, Parser } from './parsers.js';

/** RFC 9110 §5.6.2 token: what a header name may hold. */
const tokenPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * `Name: value` (`header =`): a token name, a value without control characters. Host and
 * Content-Length are refused: the request sets them itself.
 */
export const httpHeader: Parser<readonly [string, string]> = (text) => {
  const colon = text.indexOf(':');
  const name = colon > 0 ? text.slice(0, colon).trim() : '';
  const value = text.slice(colon + 1).trim();
  const reserved = ['content-length', 'transfer-encoding', 'connection'];
  if (!tokenPattern.test(name) || /[\0-\x08\x0a-\x1f\x7f]/.test(value)) {
    return { ok: false, expected: 'a header as Name: value, such as Authorization: Bearer abc' };
  }
  if (reserved.includes(name.toLowerCase())) {
    return {
      ok: false,
      expected: `a header other than ${reserved.join(', ')} (set by the request itself)`,
    };
  }
  return { ok: true, value: [name, value] };
};

/** A JavaScript regular expression (`expect_body`), kept as its source. */
export const regex: Parser<string> = (text): Parsed<string> => {
  try {
    new RegExp(text);
    return { ok: true, value: text };
  } catch (error) {
    return { ok: false, expected: `a regular expression (${(error as Error).message})` };
  }
};
