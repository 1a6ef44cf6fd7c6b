import type { OutgoingHttpHeaders } from 'node:http';
import type { Status, StatusCodes } from '../types.js';

/** A response ready to write: status, headers and body. */
export interface Answer {
  readonly statusCode: number;
  readonly headers: OutgoingHttpHeaders;
  readonly body: string;
}

/** A maintenance flag as an answer needs it. */
export interface MaintenanceNote {
  readonly reason: string;
  /** End of maintenance (ms since epoch), or null for open-ended. */
  readonly until: number | null;
}

const words: Record<Status, string> = { pass: 'OK', warn: 'WARN', fail: 'ERROR' };

/** Builds a response with the headers every answer carries. */
export function answer(
  statusCode: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): Answer {
  return {
    statusCode,
    body,
    headers: {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    },
  };
}

/** The plain-text answer, compatible with the Python tool: `OK`, `WARN` or `ERROR`. */
export function textAnswer(status: Status, codes: StatusCodes): Answer {
  return answer(statusCodeFor(status, codes), words[status]);
}

/** The plain-text maintenance answer: `MAINTENANCE: <reason>`, with Retry-After when it ends. */
export function maintenanceAnswer(note: MaintenanceNote, codes: StatusCodes, now: number): Answer {
  const base = answer(codes.maintenance, `MAINTENANCE: ${note.reason}`);
  if (note.until === null) return base;
  const seconds = Math.max(1, Math.ceil((note.until - now) / 1000));
  return { ...base, headers: { ...base.headers, 'retry-after': String(seconds) } };
}

/** The configured HTTP status for a status. */
export function statusCodeFor(status: Status, codes: StatusCodes): number {
  if (status === 'pass') return codes.ok;
  return status === 'warn' ? codes.warn : codes.fail;
}

/** 405 for anything but GET and HEAD. */
export const methodNotAllowed: Answer = {
  ...answer(405, 'Method Not Allowed'),
  headers: { ...answer(405, 'Method Not Allowed').headers, allow: 'GET, HEAD' },
};

/** 404 for a check name that is not configured. */
export function notFound(what: string): Answer {
  return answer(404, `Not Found: ${what}`);
}
