import { hostname } from 'node:os';
import type {
  CheckReport,
  EndpointReport,
  HealthCheckEntry,
  HealthDocument,
  HealthHistoryEntry,
  HealthMaintenance,
  RunResult,
  HealthStateChange,
  HistoryResult,
  StateChange,
} from '../types.js';
import { answer, type Answer } from './answer.js';

/** Renders one check; with `exposeOutput` false the output stays on the host. */
export function checkEntry(report: CheckReport, exposeOutput: boolean): HealthCheckEntry {
  const last = report.last;
  const status = report.status === 'pending' || report.stale ? 'fail' : report.status;
  const output = outputOf(report);
  return {
    status,
    componentType: report.kind,
    time: last ? new Date(last.time).toISOString() : null,
    since: new Date(report.since).toISOString(),
    durationMs: last ? Math.round(last.durationMs * 10) / 10 : null,
    ...perfdataMembers(last, exposeOutput),
    exitCode: last ? last.exitCode : null,
    ...(report.kind === 'http' ? { httpStatus: last ? last.httpStatus : null } : {}),
    ...(last?.signal ? { signal: last.signal } : {}),
    ...(last?.timedOut ? { timedOut: true as const } : {}),
    critical: report.critical,
    ...(exposeOutput ? { output } : {}),
    history: report.history.map((entry) => historyEntry(entry, report.kind, exposeOutput)),
    changes: report.changes.map((change) => stateChange(change, exposeOutput)),
    ...(report.flap
      ? { flapping: report.flap.flapping, percentStateChange: report.flap.percent }
      : {}),
  };
}

function historyEntry(
  entry: HistoryResult,
  kind: CheckReport['kind'],
  exposeOutput: boolean,
): HealthHistoryEntry {
  return {
    status: entry.status,
    time: new Date(entry.time).toISOString(),
    durationMs: Math.round(entry.durationMs * 10) / 10,
    exitCode: entry.exitCode,
    ...(kind === 'http' ? { httpStatus: entry.httpStatus } : {}),
    ...(entry.signal ? { signal: entry.signal } : {}),
    ...(entry.timedOut ? { timedOut: true as const } : {}),
    ...(exposeOutput ? { output: entry.output } : {}),
  };
}

function stateChange(change: StateChange, exposeOutput: boolean): HealthStateChange {
  return {
    from: change.from,
    to: change.to,
    time: new Date(change.time).toISOString(),
    ...(exposeOutput ? { output: change.output } : {}),
  };
}

/**
 * observedValue/observedUnit from the first item, every item under perfdata, and the notes;
 * the notes quote the output, so `expose_output = false` drops them (the values are in /metrics).
 */
function perfdataMembers(last: RunResult | null, exposeOutput: boolean): Partial<HealthCheckEntry> {
  const values = last?.perfdata?.values ?? [];
  const notes = exposeOutput ? (last?.perfdata?.notes ?? []) : [];
  const [first] = values;
  return {
    ...(first ? { observedValue: first.value, observedUnit: first.unit, perfdata: values } : {}),
    ...(notes.length > 0 ? { perfdataNotes: notes } : {}),
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
  maintenance: HealthMaintenance | null = null,
): HealthDocument {
  const checks = Object.fromEntries(
    report.checks.map((check) => [check.name, [checkEntry(check, exposeOutput)]]),
  );
  return {
    status: report.status,
    ...(maintenance ? { maintenance } : {}),
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
