import { closest, distance } from 'fastest-levenshtein';
import { agentSchema, checkSchema, daemonSchema, grpcSchema } from './schema.js';

const schemas = {
  daemon: daemonSchema,
  check: checkSchema,
  agent: agentSchema,
  grpc: grpcSchema,
} as const;
const headers = {
  daemon: '[healthcheckd]',
  check: '[check:NAME]',
  agent: '[agent]',
  grpc: '[grpc]',
} as const;

/** A kind of section that has keys. */
export type KnownKind = keyof typeof schemas;

/** The closest candidate within edit distance 2 (and shorter than the word itself), if any. */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  if (candidates.length === 0) return null;
  const best = closest(word, [...candidates]);
  const d = distance(word, best);
  return d <= 2 && d < word.length ? best : null;
}

/** The keys a section of this kind may hold. */
export function keysOf(kind: KnownKind): readonly string[] {
  return Object.keys(schemas[kind]);
}

/** The message for a section name healthcheckd does not know, with a near miss if any. */
export function unknownSectionMessage(name: string): string {
  const base = `unknown section [${name}]: expected [healthcheckd], [check:NAME], [agent] or [grpc]`;
  const check = /^checks?[\s_.:-]+([A-Za-z0-9_.-]+)$/i.exec(name);
  if (check) return `${base}; did you mean [check:${check[1]}]?`;
  const guess = didYouMean(name, ['healthcheckd', 'agent', 'grpc']);
  return guess === null ? base : `${base}; did you mean [${guess}]?`;
}

/** The message for a key the section does not have: a near miss, or the section it belongs in. */
export function unknownKeyMessage(kind: KnownKind, section: string, key: string): string {
  const base = `unknown key "${key}" in [${section}]`;
  const guess = didYouMean(key, keysOf(kind));
  if (guess !== null) return `${base}; did you mean "${guess}"?`;
  const home = (Object.keys(schemas) as KnownKind[]).find((other) => keysOf(other).includes(key));
  if (home !== undefined) return `${base}; "${key}" belongs in a ${headers[home]} section`;
  return `${base}; expected one of: ${keysOf(kind).join(', ')}`;
}
