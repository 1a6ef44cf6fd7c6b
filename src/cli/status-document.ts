import type {
  HealthCheckEntry,
  HealthDocument,
  HealthMaintenance,
  Status,
  StatusCodes,
} from '../types.js';

/** A check's latest entry (`HealthCheckEntry`, the daemon's own type), as `status` shows it. */
export type CheckLine = Pick<HealthCheckEntry, 'status' | 'durationMs'> & {
  readonly output: string;
};

/** The daemon's health+json document (`HealthDocument`), checked: only what `status` reads. */
export interface DaemonDocument {
  readonly status: HealthDocument['status'];
  readonly maintenance: Pick<HealthMaintenance, 'reason'> | null;
  /** Keyed by the operator's check names, so a Map: `__proto__` is a name like any other. */
  readonly checks: ReadonlyMap<string, CheckLine | null>;
}

/** The answer as the fetch got it. */
export interface Answer {
  readonly statusCode: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/** What an answer turned out to be: healthcheckd's document, or why it is not. */
export type Judged =
  | { readonly ok: true; readonly document: DaemonDocument }
  | { readonly ok: false; readonly reason: string };

const statuses: readonly unknown[] = ['pass', 'warn', 'fail'];
const mediaTypes: readonly string[] = ['application/health+json', 'application/json'];

/**
 * Judges whether an answer is healthcheckd's: one of its status codes (the defaults and those
 * configured), a JSON media type, UTF-8 JSON with `description: "healthcheckd"`, a known status
 * and every check entry shaped as the daemon writes it.
 */
export function judgeAnswer(answer: Answer, codes: StatusCodes): Judged {
  const known = new Set([200, 503, codes.ok, codes.warn, codes.fail, codes.maintenance]);
  if (!known.has(answer.statusCode)) {
    return refuse(
      `HTTP ${answer.statusCode}, not one of healthcheckd's (${[...known].join(', ')})`,
    );
  }
  const mediaType = answer.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!mediaTypes.includes(mediaType)) {
    return refuse(`content-type "${answer.contentType.slice(0, 100)}", not health+json`);
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(answer.body));
  } catch (error) {
    return refuse(`the body is not UTF-8 JSON (${(error as Error).message.slice(0, 100)})`);
  }
  const problem = documentProblem(value);
  if (problem !== null) return refuse(`not healthcheckd's health+json: ${problem}`);
  return { ok: true, document: toDocument(value as Record<string, unknown>) };
}

function refuse(reason: string): Judged {
  return { ok: false, reason };
}

/** What is wrong with a parsed body, or null when it is a document healthcheckd writes. */
function documentProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'the body is not a JSON object';
  if (value.description !== 'healthcheckd') return 'no description "healthcheckd"';
  if (!statuses.includes(value.status)) return 'status is not pass, warn or fail';
  const { maintenance, checks } = value;
  if (
    maintenance !== undefined &&
    !(isRecord(maintenance) && typeof maintenance.reason === 'string')
  ) {
    return 'maintenance has no reason';
  }
  if (!isRecord(checks)) return 'checks is not an object';
  for (const [name, entries] of Object.entries(checks)) {
    if (!Array.isArray(entries)) return `check ${JSON.stringify(name)} is not a list`;
    const first: unknown = entries[0];
    if (first !== undefined && !isCheckEntry(first)) {
      return `check ${JSON.stringify(name)} has no status, duration or output as healthcheckd writes them`;
    }
  }
  return null;
}

function isCheckEntry(value: unknown): boolean {
  if (!isRecord(value) || !statuses.includes(value.status)) return false;
  const { durationMs, observedValue, output } = value;
  return (
    isOptionalNumber(durationMs) &&
    isOptionalNumber(observedValue) &&
    (output === undefined || typeof output === 'string')
  );
}

function isOptionalNumber(value: unknown): boolean {
  return (
    value === undefined || value === null || (typeof value === 'number' && Number.isFinite(value))
  );
}

/** durationMs; before perfdata (0.x daemons) the duration was observedValue, in ms. */
function durationOf(entry: Record<string, unknown>): number | null {
  if (typeof entry.durationMs === 'number') return entry.durationMs;
  const legacy = entry.durationMs === undefined && entry.observedUnit === 'ms';
  return legacy && typeof entry.observedValue === 'number' ? entry.observedValue : null;
}

function toDocument(value: Record<string, unknown>): DaemonDocument {
  const maintenance = value.maintenance as { reason: string } | undefined;
  const checks = new Map<string, CheckLine | null>();
  for (const [name, entries] of Object.entries(value.checks as Record<string, unknown[]>)) {
    const first = entries[0] as Record<string, unknown> | undefined;
    checks.set(
      name,
      first === undefined
        ? null
        : {
            status: first.status as Status,
            durationMs: durationOf(first),
            output: typeof first.output === 'string' ? first.output : '',
          },
    );
  }
  return {
    status: value.status as Status,
    maintenance: maintenance === undefined ? null : { reason: maintenance.reason },
    checks,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
