import { inForce, scopeFile } from '../maintenance/flag.js';
import { readSpool, type SpoolEntry } from '../maintenance/spool.js';
import type { ResolvedConfig } from '../types.js';
import { judgeAnswer, type CheckLine, type DaemonDocument } from './status-document.js';
import { fetchAnswer, type FetchLimits } from './status-fetch.js';

/** What `healthcheckd status` found. */
export interface StatusReport {
  readonly flags: readonly SpoolEntry[];
  readonly url: string;
  /** healthcheckd's own document; null when none came (see `error`). */
  readonly document: DaemonDocument | null;
  /** Why there is no document; null when there is one. */
  readonly error: string | null;
  /** True when something answered, but not with a complete healthcheckd document. */
  readonly answered: boolean;
}

/** The address to reach the daemon: loopback when it listens on every interface. */
export function daemonUrl(config: ResolvedConfig): string {
  const { bind, port } = config.daemon;
  const host =
    bind === '0.0.0.0'
      ? '127.0.0.1'
      : bind === '::'
        ? '[::1]'
        : bind.includes(':')
          ? `[${bind}]`
          : bind;
  return `http://${host}:${port}/?format=json`;
}

/**
 * Reads the flags in force and asks the running daemon for its live results, within one
 * deadline and a body cap (`limits`, 10 s and 1 MiB by default).
 */
export async function collectStatus(
  config: ResolvedConfig,
  now = Date.now(),
  limits: FetchLimits = {},
): Promise<StatusReport> {
  const flags = readSpool(config.daemon.spoolDir).filter((entry) => inForce(entry.flag, now));
  const url = daemonUrl(config);
  const fetched = await fetchAnswer(url, limits);
  if (!fetched.ok) {
    return { flags, url, document: null, error: fetched.reason, answered: fetched.answered };
  }
  const judged = judgeAnswer(fetched, config.daemon.statusCodes);
  if (!judged.ok) return { flags, url, document: null, error: judged.reason, answered: true };
  return { flags, url, document: judged.document, error: null, answered: true };
}

/** Nagios-style exit: 0 pass and no flag, 1 warn or a flag, 2 fail, 3 no daemon answers. */
export function statusExitCode(report: StatusReport): number {
  if (report.document === null) return 3;
  if (report.document.status === 'fail' && !report.document.maintenance) return 2;
  if (report.flags.length > 0 || report.document.maintenance || report.document.status === 'warn')
    return 1;
  return 0;
}

/** The human-readable status: flags (reason, by, since, until), then the daemon's checks. */
export function formatStatus(report: StatusReport, now = Date.now()): string {
  const lines =
    report.flags.length === 0
      ? ['maintenance: none']
      : report.flags.map((entry) => flagLine(entry, now));
  if (report.document === null) {
    const what = report.answered ? 'unusable answer' : 'no answer';
    lines.push(`daemon: ${what} from ${report.url} (${report.error ?? 'unknown error'})`);
    return `${lines.join('\n')}\n`;
  }
  const doc = report.document;
  const state = doc.maintenance
    ? `MAINTENANCE: ${printable(doc.maintenance.reason, maxReason)}`
    : doc.status.toUpperCase();
  lines.push(`daemon: ${state} (${report.url})`);
  const names = new Map([...doc.checks.keys()].map((name) => [name, printable(name, maxName)]));
  let width = 5;
  for (const shown of names.values()) width = Math.max(width, Math.min(shown.length, maxWidth));
  for (const [name, entry] of doc.checks) {
    if (entry !== null) lines.push(checkLine(names.get(name) ?? '', width, entry));
  }
  return `${lines.join('\n')}\n`;
}

/** Longest name, column and first output line shown: a hostile document stays readable. */
const maxName = 200;
const maxWidth = 40;
const maxReason = 500;
const maxOutput = 200;

function checkLine(name: string, width: number, entry: CheckLine): string {
  const duration = entry.observedValue === null ? '-' : `${Math.round(entry.observedValue)} ms`;
  const first = entry.output.split('\n').find((line) => line.trim() !== '') ?? '';
  return `  ${name.padEnd(width)}  ${entry.status.toUpperCase().padEnd(4)}  ${duration.padStart(8)}  ${printable(first, maxOutput)}`.trimEnd();
}

/**
 * Text from the daemon as one safe line: control and bidi characters (a terminal escape, a
 * carriage return that hides what precedes it) shown as \xNN or \uNNNN, cut to `max`.
 */
function printable(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(unprintable, (char) => {
    const code = char.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/** C0 and C1 controls, DEL, line and paragraph separators, bidi overrides and isolates. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const unprintable = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function flagLine({ scope, flag }: SpoolEntry, now: number): string {
  const until =
    flag.until === null
      ? 'until `healthcheckd up`'
      : `until ${new Date(flag.until).toISOString()} (${Math.ceil((flag.until - now) / 60_000)} min left)`;
  return `maintenance: ${scopeFile(scope)}: "${flag.reason}" by ${flag.by} since ${new Date(flag.since).toISOString()} ${until}`;
}
