import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** The connection policy's figures, resolved. */
export interface ConnectionLimits {
  /** Connections held at once; at the cap the least recently active idle one makes room. */
  readonly maxConnections: number;
  /** A connection whose answer has had bytes waiting to be sent this long is destroyed. */
  readonly stalledWriteMs: number;
  /** How often connections are looked over for stalled answers. */
  readonly sweepEveryMs: number;
}

/** What the connection policy has done since the server was created. */
export interface ConnectionStats {
  /** Connections held now. */
  readonly open: number;
  /** Idle connections closed to make room for a new one. */
  readonly reclaimed: number;
  /** New connections refused because every held one was answering a request. */
  readonly refused: number;
  /** Connections destroyed because their answer stopped draining. */
  readonly stalled: number;
}

/**
 * Holds the server's connections to the cap without ever locking probes out: a new connection
 * at the cap closes the least recently active idle one (never sent a request, or waiting
 * between keep-alive requests) instead of being refused, so a client holding thousands of idle
 * connections only ever loses its own. Only when every connection is busy answering a request
 * is the new one refused. A connection whose answer stops draining (a client that never reads)
 * is destroyed, so a busy connection is bounded too.
 */
export function trackConnections(
  server: Server,
  limits: ConnectionLimits,
): {
  readonly stats: () => ConnectionStats;
  /** The answers being written now, one per request in flight. */
  readonly inFlight: () => Iterable<ServerResponse>;
} {
  // Insertion order is activity order: the first idle socket is the least recently active.
  const idle = new Set<Socket>();
  const busy = new Map<Socket, number>();
  const stalledSince = new Map<Socket, number>();
  const counts = { reclaimed: 0, refused: 0, stalled: 0 };

  const forget = (socket: Socket): void => {
    idle.delete(socket);
    busy.delete(socket);
    stalledSince.delete(socket);
  };
  server.on('connection', (socket: Socket) => {
    if (idle.size + busy.size >= limits.maxConnections) {
      if (!reclaimOldestIdle(idle)) {
        counts.refused += 1;
        socket.destroy();
        return;
      }
      counts.reclaimed += 1;
    }
    idle.add(socket);
    socket.once('close', () => forget(socket));
  });
  // One listener for every answer, not a closure per request: this runs on every probe.
  const answering = new Map<ServerResponse, Socket>();
  function answered(this: ServerResponse): void {
    const socket = answering.get(this);
    answering.delete(this);
    if (socket) release(socket, idle, busy);
  }
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    idle.delete(socket);
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    answering.set(res, socket);
    res.on('close', answered);
  });
  watchStalls(server, limits, stalledSince, () => [...idle, ...busy.keys()], counts);
  return {
    stats: () => ({ open: idle.size + busy.size, ...counts }),
    inFlight: () => answering.keys(),
  };
}

/** Closes the least recently active idle connection; false when there is none. */
function reclaimOldestIdle(idle: Set<Socket>): boolean {
  const oldest = idle.values().next();
  if (oldest.done === true) return false;
  idle.delete(oldest.value);
  oldest.value.destroy();
  return true;
}

/** An answer has gone out: the connection is idle again once none is left in flight on it. */
function release(socket: Socket, idle: Set<Socket>, busy: Map<Socket, number>): void {
  const left = (busy.get(socket) ?? 1) - 1;
  if (left > 0) {
    busy.set(socket, left);
    return;
  }
  busy.delete(socket);
  if (!socket.destroyed) idle.add(socket);
}

/**
 * Looks over the connections every `sweepEveryMs` while the server listens: one that has had
 * bytes waiting to be sent at every look for `stalledWriteMs` is destroyed. Node's own timeouts
 * stop once a request is read, so without this a client that asks for a large answer and never
 * reads would hold its connection for ever.
 */
function watchStalls(
  server: Server,
  limits: ConnectionLimits,
  stalledSince: Map<Socket, number>,
  sockets: () => readonly Socket[],
  counts: { stalled: number },
): void {
  let timer: NodeJS.Timeout | undefined;
  const sweep = (): void => {
    // Monotonic milliseconds: a wall-clock step must not age or rejuvenate a stall.
    const now = performance.now();
    for (const socket of sockets()) {
      if (socket.writableLength === 0) {
        stalledSince.delete(socket);
        continue;
      }
      const since = stalledSince.get(socket);
      if (since === undefined) stalledSince.set(socket, now);
      else if (now - since >= limits.stalledWriteMs) {
        counts.stalled += 1;
        socket.destroy();
      }
    }
  };
  server.on('listening', () => {
    clearInterval(timer);
    timer = setInterval(sweep, limits.sweepEveryMs).unref();
  });
  server.on('close', () => clearInterval(timer));
}
