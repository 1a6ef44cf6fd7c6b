import type { EndpointReport } from '../types.js';
import { firstLine } from '../util/text.js';

/** What one line of `check` or `status` shows about a check. */
export interface CheckLine {
  readonly name: string;
  /** `pass`, `warn`, `fail`, `pending`: printed in capitals. */
  readonly status: string;
  /** The last run's duration; null before the first run. */
  readonly durationMs: number | null;
  /** The command's output; its first non-blank line is shown. */
  readonly output: string;
}

/** `name  STATUS  12 ms  first line of output`, the name padded to `width`. */
export function formatCheckLine(line: CheckLine, width: number): string {
  const duration = line.durationMs === null ? '-' : `${Math.round(line.durationMs)} ms`;
  const status = line.status.toUpperCase().padEnd(4);
  return `${line.name.padEnd(width)}  ${status}  ${duration.padStart(8)}  ${firstLine(line.output)}`.trimEnd();
}

/** The width that lines up the names (at least 5, the width of `total`). */
export function nameWidth(names: Iterable<string>): number {
  let width = 5;
  for (const name of names) width = Math.max(width, name.length);
  return width;
}

/** `healthcheckd check`: one line per check (name, state, duration, first line); then the total. */
export function formatReport(report: EndpointReport): string {
  const width = nameWidth(report.checks.map((check) => check.name));
  const lines = report.checks.map((check) =>
    formatCheckLine(
      {
        name: check.name,
        status: check.status,
        durationMs: check.last?.durationMs ?? 0,
        output: check.last?.output ?? '',
      },
      width,
    ),
  );
  const failing = report.checks.filter((check) => check.status !== 'pass').length;
  lines.push(
    `${'total'.padEnd(width)}  ${report.status.toUpperCase().padEnd(4)}  (${failing} of ${report.checks.length} not passing)`,
  );
  return `${lines.join('\n')}\n`;
}
