import type { CheckKind, HealthMaintenance, MaintenanceFlag, RunResult, Scope } from '../types.js';
import { formatWallTime } from './clock.js';

/**
 * The first line of `text` that is not blank, trimmed; `''` when there is none. Any line break
 * counts (`\n`, `\r\n`, a lone `\r`): command output comes from any program.
 */
export function firstLine(text: string): string {
  for (const line of text.split(/\r\n|\r|\n/)) {
    const trimmed = line.trim();
    if (trimmed !== '') return trimmed;
  }
  return '';
}

/** `text` with `line` added on a line of its own. */
export function appendLine(text: string, line: string): string {
  return text === '' ? line : `${text.replace(/\n$/, '')}\n${line}`;
}

/**
 * How a run ended, in a few words: `exit 2`, `HTTP 503`, `killed by SIGKILL`, `timed out`,
 * `connected`, `no HTTP answer`, `did not run`. The reason shown beside a result that is not
 * a pass, also when the command printed nothing.
 */
export function describeOutcome(
  result: Pick<RunResult, 'status' | 'exitCode' | 'httpStatus' | 'signal' | 'timedOut'>,
  kind: CheckKind,
): string {
  if (result.timedOut) return 'timed out';
  if (result.signal !== null) return `killed by ${result.signal}`;
  if (kind === 'tcp') return result.status === 'pass' ? 'connected' : 'not connected';
  if (kind === 'http')
    return result.httpStatus === null ? 'no HTTP answer' : `HTTP ${result.httpStatus}`;
  return result.exitCode === null ? 'did not run' : `exit ${result.exitCode}`;
}

/** The name of a maintenance scope, as its spool file is named and every output shows it. */
export function scopeName(scope: Scope): string {
  return scope.kind === 'all' ? 'all' : `check:${scope.name}`;
}

/** The health+json `maintenance` member of a flag. */
export function maintenanceMember(flag: MaintenanceFlag): HealthMaintenance {
  return {
    scope: scopeName(flag.scope),
    reason: flag.reason,
    since: formatWallTime(flag.since),
    until: flag.until === null ? null : formatWallTime(flag.until),
    by: flag.by,
    ...(flag.note === undefined ? {} : { note: flag.note }),
  };
}

/**
 * Text from outside (a daemon's answer, a flag file) as one safe line: control and bidi characters (a terminal escape, a
 * carriage return that hides what precedes it) shown as \xNN or \uNNNN, cut to `max`.
 */
export function printable(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(unprintable, (char) => {
    const code = char.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/** C0 and C1 controls, DEL, line and paragraph separators, bidi overrides and isolates. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const unprintable = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
