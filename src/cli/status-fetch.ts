import { request, type IncomingMessage } from 'node:http';

/** Limits on one exchange with the daemon. */
export interface FetchLimits {
  /** The whole exchange: connect, headers and the last byte of the body. Default 10 s. */
  readonly deadlineMs?: number;
  /** The most body bytes read; a longer answer is refused. Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

/** A complete answer, or why there is none (`answered`: the daemon sent headers). */
export type Fetched =
  | {
      readonly ok: true;
      readonly statusCode: number;
      readonly contentType: string;
      readonly body: Buffer;
    }
  | { readonly ok: false; readonly answered: boolean; readonly reason: string };

const defaultDeadlineMs = 10_000;
const defaultMaxBodyBytes = 1024 * 1024;

/**
 * GETs `url` within one deadline and a body cap. Settles exactly once, whatever the peer does:
 * refuses, never answers, trickles, sends too much or closes mid-answer.
 */
export function fetchAnswer(url: string, limits: FetchLimits = {}): Promise<Fetched> {
  const deadlineMs = limits.deadlineMs ?? defaultDeadlineMs;
  const maxBodyBytes = limits.maxBodyBytes ?? defaultMaxBodyBytes;
  return new Promise((resolve) => {
    let answered = false;
    let settled = false;
    const finish = (result: Fetched): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const fail = (reason: string): void => finish({ ok: false, answered, reason });
    const req = request(url, { headers: { accept: 'application/health+json' }, agent: false });
    const timer = setTimeout(
      () => fail(`no complete answer within ${deadlineMs / 1000} s`),
      deadlineMs,
    );
    req.on('response', (res) => {
      answered = true;
      readBody(res, maxBodyBytes, finish, fail);
    });
    req.on('error', (error) => fail(error.message));
    req.end();
  });
}

function readBody(
  res: IncomingMessage,
  maxBodyBytes: number,
  finish: (result: Fetched) => void,
  fail: (reason: string) => void,
): void {
  const declared = declaredLength(res);
  if (declared !== null && declared > maxBodyBytes) {
    fail(`the answer's ${declared} bytes are more than the ${maxBodyBytes} read`);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const cutShort = (): void =>
    fail(
      `the answer was cut short: the connection closed after ${size}${declared === null ? '' : ` of ${declared}`} body bytes`,
    );
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBodyBytes) fail(`the answer is longer than the ${maxBodyBytes} bytes read`);
    else chunks.push(chunk);
  });
  res.on('end', () => {
    if (!res.complete) return cutShort();
    finish({
      ok: true,
      statusCode: res.statusCode ?? 0,
      contentType: String(res.headers['content-type'] ?? ''),
      body: Buffer.concat(chunks),
    });
  });
  // A cut answer never ends: Node closes it, with an 'error' only for those who listen.
  res.on('error', cutShort);
  res.on('close', cutShort);
}

function declaredLength(res: IncomingMessage): number | null {
  const header = res.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header)) return null;
  return Number(header);
}
