import type { CheckReport, EndpointReport } from '../types.js';
import { describeOutcome, firstLine } from '../util/text.js';

/**
 * Why an aggregate fails, for `down #<reason>`: the first critical check that fails (else the
 * first failing one) and its output's first line. With `expose_output = false` the output stays
 * home, as it does in the JSON answer.
 */
export function failReason(report: EndpointReport, exposeOutput: boolean): string {
  const failing = report.checks.filter(
    (check) => check.status === 'fail' || check.status === 'pending',
  );
  const first = failing.find((check) => check.critical) ?? failing[0];
  if (!first) return report.checks.length === 0 ? 'no checks configured' : 'checks fail';
  return `${first.name}: ${describe(first, exposeOutput)}`;
}

function describe(check: CheckReport, exposeOutput: boolean): string {
  if (check.status === 'pending' || check.last === null) return 'no result yet';
  if (check.stale) return 'last result older than max_age';
  if (check.last.timedOut) return 'timed out';
  const line = exposeOutput ? firstLine(check.last.output) : '';
  if (line !== '') return line;
  if (check.last.signal) return `killed by ${check.last.signal}`;
  if (check.last.exitCode === null && check.last.httpStatus === null) return 'failed';
  return `failed (${describeOutcome(check.last, check.kind)})`;
}
