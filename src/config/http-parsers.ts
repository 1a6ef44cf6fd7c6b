import type { Parsed, Parser } from './parsers.js';

/** RFC 9110 §5.6.2 token: what a header name may hold. */
const tokenPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** True when the text holds a control character other than tab (RFC 9110 §5.5). */
function hasControl(text: string): boolean {
  return [...text].some((char) => {
    const code = char.charCodeAt(0);
    return (code < 0x20 && code !== 0x09) || code === 0x7f;
  });
}

/**
 * `Name: value` (`header =`): a token name, a value without control characters. Host and
 * Content-Length are refused: the request sets them itself.
 */
export const httpHeader: Parser<readonly [string, string]> = (text) => {
  const colon = text.indexOf(':');
  const name = colon > 0 ? text.slice(0, colon).trim() : '';
  const value = text.slice(colon + 1).trim();
  const reserved = ['content-length', 'transfer-encoding', 'connection'];
  if (!tokenPattern.test(name) || hasControl(value)) {
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
