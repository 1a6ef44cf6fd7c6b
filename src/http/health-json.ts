import { hostname } from 'node:os';
import type { CheckReport, EndpointReport } from '../types.js';
import { answer, type Answer } from './answer.js';

/** A check's entry in the `checks` member, as IETF health+json shapes it. */
interface CheckEntry {
  readonly status: string;
  readonly componentType: string;
  readonly time: string | null;
  readonly since: string;
  readonly observedValue: number | null;
  readonly observedUnit: 'ms';
  readonly exitCode: number | null;
  readonly signal?: string;
  readonly timedOut?: true;
  readonly critical: boolean;
  readonly output?: string;
}

/** Renders one check; with `exposeOutput` false the output stays on the host. */
export function checkEntry(report: CheckReport, exposeOutput: boolean): CheckEntry {
  const last = report.last;
  const status = report.status === 'pending' || report.stale ? 'fail' : report.status;
  const output = outputOf(report);
  return {
    status,
    componentType: report.kind,
    time: last ? new Date(last.finishedAt).toISOString() : null,
    since: new Date(report.since).toISOString(),
    observedValue: last ? Math.round(last.durationMs * 10) / 10 : null,
    observedUnit: 'ms',
    exitCode: last ? last.exitCode : null,
    ...(last?.signal ? { signal: last.signal } : {}),
    ...(last?.timedOut ? { timedOut: true as const } : {}),
    critical: report.critical,
    ...(exposeOutput ? { output } : {}),
  };
}

function outputOf(report: CheckReport): string {
  if (report.last === null) return 'pending: no result yet';
  if (report.stale) return `stale: last result older than max_age\n${report.last.output}`;
  return report.last.output;
}

/** The health+json document for an endpoint. */
export function healthDocument(
  report: EndpointReport,
  exposeOutput: boolean,
  extra: Record<string, unknown> = {},
) {
  const checks: Record<string, CheckEntry[]> = {};
  for (const check of report.checks) checks[check.name] = [checkEntry(check, exposeOutput)];
  return {
    status: report.status,
    ...extra,
    checks,
    notes: notes(report),
    serviceId: hostname(),
    description: 'healthcheckd',
  };
}

function notes(report: EndpointReport): string[] {
  return report.checks
    .filter((check) => check.status !== 'pass' || check.stale)
    .map((check) => `${check.name}: ${check.stale ? 'stale' : check.status}`);
}

/** The JSON answer: the same status code as the text answer, `Cache-Control: no-store`. */
export function jsonAnswer(statusCode: number, document: unknown, contentType: string): Answer {
  return answer(statusCode, `${JSON.stringify(document, null, 2)}\n`, contentType);
}
