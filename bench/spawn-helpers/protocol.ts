// The pipe protocol of the spawn helpers (helper.pl, node-helper.ts). Requests are
// NUL-terminated fields: `S id cgroup-procs uid gid argc argv... envc env...` starts a run,
// `K id signal` signals its process group. Replies are header lines: `P id pid` (started),
// `F id reason`, `O id n` followed by n bytes of output (the first 4 KiB only), `D id total`
// (output closed, total bytes) and `X id code signal` (reaped; code -1 when signalled).
import { replyParser } from '../../src/checks/spawn-helper.js';

/** One run for a helper; empty strings mean "not set". */
export interface SpawnRequest {
  readonly argv: readonly string[];
  readonly env: readonly string[];
  readonly cgroupProcs?: string;
  readonly uid?: number;
  readonly gid?: number;
}

/** Encodes a start request. */
export function encodeStart(id: number, request: SpawnRequest): Buffer {
  const fields = [
    'S',
    String(id),
    request.cgroupProcs ?? '',
    request.uid === undefined ? '' : String(request.uid),
    request.gid === undefined ? '' : String(request.gid),
    String(request.argv.length),
    ...request.argv,
    String(request.env.length),
    ...request.env,
  ];
  return Buffer.from(fields.map((field) => `${field}\0`).join(''));
}

/** Encodes a kill request for the process group of run `id`. */
export function encodeKill(id: number, signal: number): Buffer {
  return Buffer.from(`K\0${id}\0${signal}\0`);
}

/** One decoded reply; `data` only for `O`. */
export interface Reply {
  readonly type: 'P' | 'F' | 'O' | 'D' | 'X';
  readonly id: number;
  readonly args: readonly string[];
  readonly data?: Buffer;
}

/** Splits a reply stream into replies, however the bytes arrive: the daemon's own parser. */
export const createReplyParser = replyParser as (
  onReply: (reply: Reply) => void,
) => (chunk: Buffer) => void;

/** Splits a request stream into requests (the field lists), however the bytes arrive. */
export function createRequestParser(
  onRequest: (fields: readonly string[]) => void,
): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    const fields: string[] = [];
    let at = 0;
    for (let end = pending.indexOf(0); end >= 0; end = pending.indexOf(0, at)) {
      fields.push(pending.subarray(at, end).toString());
      at = end + 1;
    }
    let used = 0;
    let bytes = 0;
    while (used < fields.length) {
      const size = requestSize(fields, used);
      if (size === null) break;
      onRequest(fields.slice(used, used + size));
      for (const field of fields.slice(used, used + size)) bytes += Buffer.byteLength(field) + 1;
      used += size;
    }
    pending = pending.subarray(bytes);
  };
}

/** How many fields the request at `start` takes, or null when it is not complete yet. */
function requestSize(fields: readonly string[], start: number): number | null {
  const have = fields.length - start;
  if (fields[start] === 'K') return have >= 3 ? 3 : null;
  if (have < 7) return null;
  const argc = Number(fields[start + 5]);
  if (have < 7 + argc) return null;
  const size = 7 + argc + Number(fields[start + 6 + argc]);
  return have >= size ? size : null;
}
