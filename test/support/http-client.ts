import { once } from 'node:events';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

/** What came back: status, headers and the whole body as text. */
export interface HttpReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpRequestOptions {
  readonly method?: string;
  /** Default `/`. */
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Fails the request when the socket is idle this long. Default 15 s. */
  readonly timeoutMs?: number;
}

/** One HTTP request on a fresh connection to 127.0.0.1:`port` (no agent, no keep-alive). */
export function httpRequest(port: number, options: HttpRequestOptions = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers ?? {},
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.setTimeout(options.timeoutMs ?? 15_000, () => req.destroy(new Error('request timed out')));
    req.once('error', reject);
    req.end(options.body);
  });
}

/** Writes `bytes` on a raw TCP connection and returns everything read until the server closes. */
export async function rawExchange(port: number, bytes: string | Buffer): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => undefined);
  socket.write(bytes);
  await once(socket, 'close');
  return text;
}

/** @deprecated Use `HttpReply`; kept for tests written before the helpers were merged. */
export type Reply = HttpReply;

/** @deprecated Use `httpRequest(port, { path, ... })`; kept for tests written before the merge. */
export function fetchLocal(
  port: number,
  path = '/',
  options: Omit<HttpRequestOptions, 'path'> = {},
): Promise<HttpReply> {
  return httpRequest(port, { ...options, path });
}
