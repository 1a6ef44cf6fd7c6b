import Negotiator from 'negotiator';
import { memoize } from '../util/memo.js';

/** The body formats an answer can take. */
export type BodyFormat = 'text' | 'json' | 'health+json' | 'html';

/**
 * The media types offered, in the order that breaks ties (`*\/*` gives the first). Each
 * carries `charset=utf-8`, the charset every answer is written in, so that an Accept naming
 * it (`application/json; charset=utf-8`) still matches.
 */
const offered: ReadonlyMap<string, BodyFormat> = new Map([
  ['text/plain; charset=utf-8', 'text'],
  ['application/health+json; charset=utf-8', 'health+json'],
  ['application/json; charset=utf-8', 'json'],
  ['text/html; charset=utf-8', 'html'],
]);
const offeredTypes = [...offered.keys()];

/**
 * Picks the body format by RFC 9110 §12.5.1 (quality values, the most specific range wins,
 * `q=0` excludes): `?format=json` gives IETF health+json whatever the Accept, text/html (a
 * browser) the status page, and no Accept the plain text the Python tool answered. When the
 * client accepts none of them, it still gets the plain text rather than 406: the status code
 * is the answer a probe needs, and it is the same in every format.
 */
export function negotiate(accept: string, formatJson: boolean): BodyFormat {
  if (formatJson) return 'health+json';
  // The probes' usual headers skip the parser: no Accept, or anything at all.
  if (accept === '' || accept === '*/*') return 'text';
  return negotiateAccept(accept);
}

/**
 * Monitoring sends the same Accept on every probe, and negotiator takes about 10 µs to parse
 * one (a tenth of an answer from cache): recent verdicts are kept.
 */
const negotiateAccept = memoize((accept: string): BodyFormat => {
  const chosen = new Negotiator({ headers: { accept } }).mediaType(offeredTypes);
  return (chosen === undefined ? undefined : offered.get(chosen)) ?? 'text';
});
