import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listenOn } from '../util/listen.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** An HTTP server whose request listener can be swapped on reload. */
export interface HttpServer {
  readonly server: Server;
  readonly setListener: (listener: Listener) => void;
  /** Resolves with the bound port once listening; rejects with a HealthcheckdError. */
  readonly listen: (port: number, host: string) => Promise<number>;
  /** Stops accepting, lets answers in flight finish, closes idle keep-alive sockets. */
  readonly close: (graceMs: number) => Promise<void>;
}

/** Limits that keep slow or hostile clients from tying the daemon up. */
export const hardening = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderSize: 8_192,
  maxHeadersCount: 64,
  maxConnections: 4_096,
} as const;

/** Creates the hardened server: header/request timeouts, a connection cap, small headers. */
export function createHttpServer(initial: Listener): HttpServer {
  let listener = initial;
  const server = createServer(
    {
      headersTimeout: hardening.headersTimeoutMs,
      requestTimeout: hardening.requestTimeoutMs,
      keepAliveTimeout: hardening.keepAliveTimeoutMs,
      maxHeaderSize: hardening.maxHeaderSize,
      connectionsCheckingInterval: 1_000,
    },
    (req, res) => listener(req, res),
  );
  server.maxHeadersCount = hardening.maxHeadersCount;
  server.maxConnections = hardening.maxConnections;
  server.on('clientError', rejectClient);
  return {
    server,
    setListener: (next) => void (listener = next),
    listen: (port, host) =>
      listenOn(server, port, host, { label: `port ${port}`, fix: 'with --port' }),
    close: (graceMs) => close(server, graceMs),
  };
}

const rejectStatus: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

function rejectClient(error: NodeJS.ErrnoException, socket: Socket): void {
  // A socket that already carried a response (a keep-alive one, or one closed after a 405
  // with an unread body) gets no second, unasked-for answer: it is just closed.
  if (!socket.writable || error.code === 'ECONNRESET' || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const status = rejectStatus[error.code ?? ''] ?? '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function close(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
