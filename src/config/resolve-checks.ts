import { formatDuration } from '../util/duration.js';
import type { CheckDefinition, CheckKind, Origin } from '../types.js';
import type { FlagCheck } from './flags.js';
import { expectedFound, lineProblem, type Problem } from './problems.js';
import { lineOf, readSection } from './read.js';
import { defaultHttpOptions, resolveHttpOptions } from './resolve-http.js';
import { checkSchema, type SchemaValues } from './schema.js';
import type { CheckSection } from './sections.js';

const kinds: readonly CheckKind[] = ['command', 'tcp', 'http'];

/** A check with every key at its default. */
export function defaultCheck(
  name: string,
  kind: CheckKind,
  target: string,
  timeoutMs: number,
  origin: Origin,
): CheckDefinition {
  return {
    name,
    kind,
    target,
    timeoutMs,
    intervalMs: null,
    maxAgeMs: null,
    cachePassMs: 0,
    cacheFailMs: 0,
    rise: 1,
    fall: 1,
    warnExitCodes: [],
    critical: true,
    groups: [],
    expectStatus: checkSchema.expect_status.fallback,
    http: defaultHttpOptions,
    flapThresholdPercent: checkSchema.flap_threshold.fallback,
    origin,
  };
}

/** A check added by a flag; its origin is the command line. */
export function flagCheckDefinition(flag: FlagCheck, timeoutMs: number): CheckDefinition {
  return defaultCheck(flag.name, flag.kind, flag.target, timeoutMs, {
    file: 'command line',
    line: 0,
  });
}

/** The one kind key (command, tcp or http) a check section holds; a problem when not exactly one. */
function kindOf(section: CheckSection, problems: Problem[]): CheckKind | null {
  const present = kinds.filter((kind) => section.entries.has(kind));
  const [first, second] = present;
  if (first !== undefined && second === undefined) return first;
  const found =
    first === undefined
      ? 'none'
      : present.map((kind) => `${kind} (line ${lineOf(section, kind)})`).join(' and ');
  const line = second === undefined ? section.line : lineOf(section, second);
  const message = `[${section.header}]: expected exactly one of command, tcp or http, found ${found}`;
  problems.push(lineProblem(line, message));
  return null;
}

/** Reports keys that only one kind of check uses, set on a check of another kind. */
function checkKindOnlyKeys(section: CheckSection, kind: CheckKind, problems: Problem[]): void {
  const only = [
    ['expect_status', 'http'],
    ['method', 'http'],
    ['header', 'http'],
    ['expect_body', 'http'],
    ['tls_verify', 'http'],
    ['ca', 'http'],
    ['warn_exit_codes', 'command'],
  ] as const;
  for (const [key, owner] of only) {
    if (!section.entries.has(key) || kind === owner) continue;
    const message = `${key}: only ${owner} checks use it, and [${section.header}] is a ${kind} check; remove the line`;
    problems.push(lineProblem(lineOf(section, key), message));
  }
}

/** max_age defaults to 3 x interval and may not be shorter than the interval. */
function maxAge(
  section: CheckSection,
  values: SchemaValues<typeof checkSchema>,
  problems: Problem[],
): number | null {
  const { interval, max_age: age } = values;
  if (age === null) return interval === null ? null : interval * 3;
  if (interval !== null && age < interval) {
    const expected = `at least the interval (${formatDuration(interval)})`;
    const found = section.entries.get('max_age')?.value ?? formatDuration(age);
    problems.push(
      lineProblem(lineOf(section, 'max_age'), expectedFound('max_age', expected, found)),
    );
  }
  return age;
}

/** One `[check:NAME]` section, resolved; null when it is too broken to describe a check. */
export function resolveCheckSection(
  section: CheckSection,
  daemonTimeoutMs: number,
  file: string,
  problems: Problem[],
  baseDir = '/',
): CheckDefinition | null {
  const values = readSection(section, checkSchema, problems);
  const kind = kindOf(section, problems);
  if (kind === null) return null;
  checkKindOnlyKeys(section, kind, problems);
  const target = values[kind];
  if (target === null) return null;
  return {
    ...defaultCheck(section.name, kind, target, values.timeout ?? daemonTimeoutMs, {
      file,
      line: section.line,
    }),
    intervalMs: values.interval,
    maxAgeMs: maxAge(section, values, problems),
    cachePassMs: values.cache_pass,
    cacheFailMs: values.cache_fail,
    rise: values.rise,
    fall: values.fall,
    warnExitCodes: values.warn_exit_codes,
    critical: values.critical,
    groups: values.group,
    expectStatus: values.expect_status,
    http:
      kind === 'http' ? resolveHttpOptions(section, values, baseDir, problems) : defaultHttpOptions,
    flapThresholdPercent: values.flap_threshold,
  };
}
