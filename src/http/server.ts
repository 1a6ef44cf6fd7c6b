import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Socket } from 'node:net';
import { listenOn } from '../util/listen.js';
import { connectionCeiling, defaultConnectionCap } from './connection-cap.js';
import { trackConnections, type ConnectionStats } from './connections.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** An HTTP server whose request listener can be swapped on reload. */
export interface HttpServer {
  readonly server: Server;
  readonly setListener: (listener: Listener) => void;
  /** Resolves with the bound port once listening; rejects with a HealthcheckdError. */
  readonly listen: (port: number, host: string) => Promise<number>;
  /** Stops accepting, lets answers in flight finish, closes idle keep-alive sockets. */
  readonly close: (graceMs: number) => Promise<void>;
  /** What the connection cap and the stall guard have done so far. */
  readonly connections: () => ConnectionStats;
  /** The answers being written now (the daemon ends them with the connection when it stops). */
  readonly inFlight: () => Iterable<ServerResponse>;
}

/** Limits that keep slow or hostile clients from tying the daemon up (the defaults). */
export const hardening = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  checkingIntervalMs: 1_000,
  stalledWriteMs: 10_000,
  maxHeaderSize: 8_192,
  maxHeadersCount: 64,
  maxConnections: connectionCeiling,
} as const;

/** Connection limits; each defaults to its figure in `hardening`. */
export interface HttpServerOptions {
  /**
   * Connections held at once; at the cap a new one closes the least recently active idle
   * one. Default 4096, or the open-file limit less 256 when that is lower.
   */
  readonly maxConnections?: number;
  /** From a connection (or a request's first byte) to its complete headers; then 408. Default 5000 ms. */
  readonly headersTimeoutMs?: number;
  /** From a request's first byte to its end; then 408. Default 10000 ms. */
  readonly requestTimeoutMs?: number;
  /** Idle time allowed between keep-alive requests. Default 5000 ms. */
  readonly keepAliveTimeoutMs?: number;
  /** How often the header and request deadlines are checked. Default 1000 ms. */
  readonly checkingIntervalMs?: number;
  /** An answer with bytes left unsent this long loses its connection. Default 10000 ms. */
  readonly stalledWriteMs?: number;
}

/**
 * Creates the hardened server: every well-formed request answered (with or without Host, also
 * after the client half-closes), rejected ones answered and destroyed, every connection bounded
 * in time, and a connection cap that reclaims idle connections rather than refusing probes.
 */
export function createHttpServer(initial: Listener, options: HttpServerOptions = {}): HttpServer {
  let listener = initial;
  const headersTimeout = options.headersTimeoutMs ?? hardening.headersTimeoutMs;
  const server = createServer({
    // HAProxy's `option httpchk GET / HTTP/1.1` sends no Host: answer it, as the Python tool did.
    requireHostHeader: false,
    headersTimeout,
    requestTimeout: Math.max(
      headersTimeout,
      options.requestTimeoutMs ?? hardening.requestTimeoutMs,
    ),
    keepAliveTimeout: options.keepAliveTimeoutMs ?? hardening.keepAliveTimeoutMs,
    connectionsCheckingInterval: options.checkingIntervalMs ?? hardening.checkingIntervalMs,
    maxHeaderSize: hardening.maxHeaderSize,
  });
  // Undocumented but long-standing: without it, node:http takes the client's FIN for "gone",
  // aborts the request in flight and closes without an answer. With it, the answer goes out
  // and the connection closes after it.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.maxHeadersCount = hardening.maxHeadersCount;
  server.on('clientError', rejectClient);
  server.on('connect', refuseConnect);
  const tracker = trackConnections(server, {
    maxConnections: options.maxConnections ?? defaultConnectionCap(),
    stalledWriteMs: options.stalledWriteMs ?? hardening.stalledWriteMs,
    sweepEveryMs: options.checkingIntervalMs ?? hardening.checkingIntervalMs,
  });
  // The one request listener: the tracker first (the connection is busy from here on).
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    tracker.onRequest(req, res);
    listener(req, res);
  });
  return {
    server,
    setListener: (next) => void (listener = next),
    listen: (port, host) =>
      listenOn(server, port, host, { label: `port ${port}`, fix: 'with --port' }),
    close: (graceMs) => close(server, graceMs),
    connections: tracker.stats,
    inFlight: tracker.inFlight,
  };
}

const rejectStatus: ReadonlyMap<string, number> = new Map([
  ['HPE_HEADER_OVERFLOW', 431],
  ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 413],
  ['ERR_HTTP_REQUEST_TIMEOUT', 408],
]);

/** A request line of the right form whose method llhttp does not know (`BREW / HTTP/1.1`). */
const unknownMethodLine = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP\/1\.[01]\r?\n/;

/** Answers a request node:http rejected (408, 400, 431, ...) and destroys its socket. */
function rejectClient(error: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Socket) {
  // A socket that already carried a response (a keep-alive one, or one closed after a 405
  // with an unread body) gets no second, unasked-for answer: it is just closed.
  if (!socket.writable || error.code === 'ECONNRESET' || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const raw = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString('latin1', 0, 200) : '';
  if (error.code === 'HPE_INVALID_METHOD' && unknownMethodLine.test(raw))
    return finalAnswer(socket, 405);
  finalAnswer(socket, rejectStatus.get(error.code ?? '') ?? 400);
}

/** CONNECT is no method of this server: 405, where node:http would close without a word. */
function refuseConnect(_req: IncomingMessage, socket: Socket): void {
  // node:http has handed the socket over without its error handler.
  socket.on('error', () => socket.destroy());
  finalAnswer(socket, 405);
}

/**
 * Writes a last answer and frees the socket as soon as it is written: `end()` alone would
 * leave it half-open, waiting for a client FIN that a hostile client never sends.
 */
function finalAnswer(socket: Socket, status: number): void {
  const allow = status === 405 ? 'Allow: GET, HEAD\r\n' : '';
  socket.write(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${allow}` +
      'Connection: close\r\nCache-Control: no-store\r\nContent-Length: 0\r\n\r\n',
  );
  socket.destroySoon();
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
