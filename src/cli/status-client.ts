import { inForce } from '../maintenance/flag.js';
import { readSpoolFlags } from '../maintenance/spool.js';
import type { MaintenanceFlag, ResolvedConfig } from '../types.js';
import { epochNow, formatWallTime, type EpochMs } from '../util/clock.js';
import { urlHost } from '../util/listen.js';
import { firstLine, printable, scopeName } from '../util/text.js';
import { formatCheckLine } from './format-check.js';
import { judgeAnswer, type DaemonDocument } from './status-document.js';
import { fetchAnswer, type FetchLimits } from './status-fetch.js';

/** What `healthcheckd status` found. */
export interface StatusReport {
  /** The flags in force. */
  readonly flags: readonly MaintenanceFlag[];
  /** Why the spool could not be listed (every check then counts as in maintenance), or null. */
  readonly unlisted: string | null;
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
  const host = bind === '0.0.0.0' ? '127.0.0.1' : bind === '::' ? '::1' : bind;
  return `http://${urlHost(host)}:${port}/?format=json`;
}

/**
 * Reads the flags in force and asks the running daemon for its live results, within one
 * deadline and a body cap (`limits`, 10 s and 1 MiB by default).
 */
export async function collectStatus(
  config: ResolvedConfig,
  now: EpochMs = epochNow(),
  limits: FetchLimits = {},
): Promise<StatusReport> {
  const spool = readSpoolFlags(config.daemon.spoolDir, now);
  const flags = spool.flags.filter((flag) => inForce(flag, now));
  const unlisted = spool.unlisted;
  const url = daemonUrl(config);
  if (config.daemon.port === 0) {
    // The daemon took a free port of the system's choosing: nothing here can know which.
    const error = `the config says port = 0 (a free port of the system's choosing), so status cannot know the daemon's port; pass it with --port PORT (the daemon's "listening on" log line names it)`;
    return { flags, unlisted, url, document: null, error, answered: false };
  }
  const fetched = await fetchAnswer(url, limits);
  if (!fetched.ok) {
    return {
      flags,
      unlisted,
      url,
      document: null,
      error: fetched.reason,
      answered: fetched.answered,
    };
  }
  const judged = judgeAnswer(fetched, config.daemon.statusCodes);
  if (!judged.ok)
    return { flags, unlisted, url, document: null, error: judged.reason, answered: true };
  return { flags, unlisted, url, document: judged.document, error: null, answered: true };
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
export function formatStatus(report: StatusReport, now: EpochMs = epochNow()): string {
  const lines =
    report.flags.length === 0
      ? ['maintenance: none']
      : report.flags.map((flag) => flagLine(flag, now));
  if (report.document === null) {
    const what = report.answered ? 'unusable answer' : 'no answer';
    if (portUnknown(report.url)) lines.push(`daemon: port unknown: ${report.error ?? 'port = 0'}`);
    else lines.push(`daemon: ${what} from ${report.url} (${report.error ?? 'unknown error'})`);
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
    if (entry === null) continue;
    const output = printable(firstLine(entry.output), maxOutput);
    const line = { name: names.get(name) ?? '', status: entry.status, output };
    lines.push(`  ${formatCheckLine({ ...line, durationMs: entry.durationMs }, width)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** True for the address of a daemon whose port is 0: asked nowhere. */
function portUnknown(url: string): boolean {
  return new URL(url).port === '0';
}

/** Longest name, column and first output line shown: a hostile document stays readable. */
const maxName = 200;
const maxWidth = 40;
const maxReason = 500;
const maxOutput = 200;

function flagLine(flag: MaintenanceFlag, now: EpochMs): string {
  const left = flag.until === null ? 0 : Math.ceil((flag.until - now) / 60_000);
  const until =
    flag.until === null
      ? 'until `healthcheckd up`'
      : `until ${formatWallTime(flag.until)} (${left} min left)`;
  const note = flag.note !== undefined && flag.note !== flag.reason ? ` (${flag.note})` : '';
  const reason = printable(flag.reason, maxReason);
  return `maintenance: ${scopeName(flag.scope)}: "${reason}"${note} by ${printable(flag.by, maxName)} since ${formatWallTime(flag.since)} ${until}`;
}
