import { listenOn } from '../util/listen.js';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';

type Line = () => string | Promise<string>;

export interface AgentServerDeps {
  /** The line each connection gets. */
  readonly line: Line;
  readonly logger: Logger;
  /** Connections open at once; more are dropped by the kernel side at once. Default 1024. */
  readonly maxConnections?: number;
  /** A connection is destroyed this long after it was accepted, answered or not. Default 5000 ms. */
  readonly timeoutMs?: number;
}

/** The HAProxy agent-check listener: one line per connection, then close. */
export interface AgentServer {
  /** Resolves with the bound port once listening; rejects with a HealthcheckdError. */
  readonly listen: (port: number, host: string) => Promise<number>;
  /**
   * Stops accepting; a connection still waiting for its line gets `graceMs` to receive it, a
   * connection that has its line is closed at once, whatever is left is destroyed after.
   */
  readonly close: (graceMs: number) => Promise<void>;
  /** Swaps the line source (on reload) without rebinding. */
  readonly setLine: (line: Line) => void;
}

/** What a connection gets when the state cannot be computed: fail closed. */
export const failClosedLine = 'down #internal error\n';

/** Errors a peer causes by resetting or leaving early; HAProxy does this as a matter of course. */
const peerErrors = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);

/** How often a full server may warn that it drops connections. */
const dropWarnEveryMs = 60_000;

/** Creates the agent server: every socket has an error handler and a deadline; data is ignored. */
export function createAgentServer(deps: AgentServerDeps): AgentServer {
  const { logger } = deps;
  const timeoutMs = deps.timeoutMs ?? 5_000;
  let line = deps.line;
  const sockets = new Set<Socket>();
  // allowHalfOpen: a client that shuts its side right after connecting still gets the line.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    serve(socket, () => line(), logger, timeoutMs);
    socket.once('close', () => sockets.delete(socket));
  });
  server.maxConnections = deps.maxConnections ?? 1_024;
  server.on('drop', warnDrops(logger, server.maxConnections));
  // Registered once: a server listened on again (a rollback on reload) adds no second one.
  server.on('error', (error) => {
    if (server.listening) logger.error({ err: error }, `agent: server error: ${error.message}`);
  });
  return {
    listen: (port, host) =>
      listenOn(server, port, host, { label: `agent port ${port}`, fix: 'in [agent]' }),
    close: (graceMs) => close(server, sockets, graceMs),
    setLine: (next) => void (line = next),
  };
}

function serve(socket: Socket, line: Line, logger: Logger, timeoutMs: number): void {
  // An absolute deadline, not socket.setTimeout: a client trickling bytes must not keep it open.
  const deadline = setTimeout(() => socket.destroy(), timeoutMs);
  socket.once('close', () => clearTimeout(deadline));
  socket.on('error', (error: NodeJS.ErrnoException) => logSocketError(logger, error));
  // Read and drop what the client sends (agent-send strings): unread data would make the
  // kernel answer our close with a reset, and the reset can destroy the line in flight.
  socket.resume();
  void answer(line, logger).then((text) => {
    if (!socket.destroyed && socket.writable) socket.end(text);
  });
}

async function answer(line: Line, logger: Logger): Promise<string> {
  try {
    return await line();
  } catch (error) {
    logger.error({ err: error }, 'agent: cannot compute the state; answering down');
    return failClosedLine;
  }
}

function logSocketError(logger: Logger, error: NodeJS.ErrnoException): void {
  if (error.code !== undefined && peerErrors.has(error.code)) {
    logger.debug({ code: error.code }, 'agent: client left early');
  } else logger.warn({ err: error }, `agent: connection error: ${error.message}`);
}

function warnDrops(logger: Logger, maxConnections: number): () => void {
  let lastWarn = -Infinity;
  return () => {
    const now = Date.now();
    if (now - lastWarn < dropWarnEveryMs) return;
    lastWarn = now;
    logger.warn(`agent: ${maxConnections} connections open, dropping new ones`);
  };
}

function close(server: Server, sockets: Set<Socket>, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      for (const socket of sockets) socket.destroy();
    }, graceMs);
    for (const socket of sockets) closeOnceAnswered(socket);
    const done = (): void => {
      clearTimeout(force);
      resolve();
    };
    if (server.listening) server.close(done);
    else if (sockets.size === 0) done();
    else void Promise.all([...sockets].map((socket) => once(socket, 'close'))).then(done);
  });
}

/** A socket that has sent its line is destroyed once the line is flushed, not at its deadline. */
function closeOnceAnswered(socket: Socket): void {
  if (socket.writableFinished) socket.destroy();
  else socket.once('finish', () => socket.destroy());
}
