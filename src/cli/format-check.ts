import type { CheckReport, EndpointReport } from '../types.js';
import { describeOutcome, firstLine } from '../util/text.js';

/** What one line of `check` or `status` shows about a check. */
export interface CheckLine {
  readonly name: string;
  /** `pass`, `warn`, `fail`, `pending`: printed in capitals. */
  readonly status: string;
  /** The last run's duration; null before the first run. */
  readonly durationMs: number | null;
  /** The command's output; its first non-blank line is shown. */
  readonly output: string;
  /** Why it is not a pass (`exit 1`, `killed by SIGTERM`, `timed out`), shown before the output. */
  readonly reason?: string;
}

/** `name  STATUS  12 ms  first line of output`, the name padded to `width`. */
export function formatCheckLine(line: CheckLine, width: number): string {
  const duration = line.durationMs === null ? '-' : `${Math.round(line.durationMs)} ms`;
  const status = line.status.toUpperCase().padEnd(4);
  const output = firstLine(line.output);
  // healthcheckd's own note (`[timed out after 5000 ms; process group killed]`) says it already.
  const said = line.reason === undefined || output.startsWith(`[${line.reason}`);
  const text = said ? output : output === '' ? line.reason : `${line.reason}: ${output}`;
  return `${line.name.padEnd(width)}  ${status}  ${duration.padStart(8)}  ${text}`.trimEnd();
}

/** The width that lines up the names (at least 5, the width of `total`). */
export function nameWidth(names: Iterable<string>): number {
  let width = 5;
  for (const name of names) width = Math.max(width, name.length);
  return width;
}

/**
 * Why a check is not a pass, in a few words: how its last run ended (describeOutcome), that
 * the result is stale, or that it never ran; undefined for a pass.
 */
export function checkReason(check: CheckReport): string | undefined {
  if (check.status === 'pass') return undefined;
  if (check.last === null) return 'not run';
  const outcome = describeOutcome(check.last, check.kind);
  return check.stale ? `result too old (${outcome})` : outcome;
}

/** `1 check`, `2 checks`. */
function checks(count: number): string {
  return `${count} ${count === 1 ? 'check' : 'checks'}`;
}

/**
 * `healthcheckd check`: one line per check (name, state, duration, and for one that is not a
 * pass the reason, then the first line of output); then the total, e.g.
 * `total  FAIL  1 of 2 checks not passing` or `total  PASS  all 2 checks passing`.
 */
export function formatReport(report: EndpointReport): string {
  const width = nameWidth(report.checks.map((check) => check.name));
  const lines = report.checks.map((check) => {
    // A TCP check's output is its reason already ("cannot connect to ...: ECONNREFUSED").
    const said = check.kind === 'tcp' && firstLine(check.last?.output ?? '') !== '';
    const reason = said ? undefined : checkReason(check);
    return formatCheckLine(
      {
        name: check.name,
        status: check.status,
        durationMs: check.last?.durationMs ?? 0,
        output: check.last?.output ?? '',
        ...(reason === undefined ? {} : { reason }),
      },
      width,
    );
  });
  const total = report.checks.length;
  const failing = report.checks.filter((check) => check.status !== 'pass').length;
  const summary =
    failing === 0
      ? `${total === 1 ? '' : 'all '}${checks(total)} passing`
      : `${failing} of ${checks(total)} not passing`;
  lines.push(`${'total'.padEnd(width)}  ${report.status.toUpperCase().padEnd(4)}  ${summary}`);
  return `${lines.join('\n')}\n`;
}
