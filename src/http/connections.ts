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

/** What the tracker keeps per connection, made once when it opens. */
interface Connection {
  readonly socket: Socket;
  /** Its oldest answer not yet closed, or null when it is idle. */
  first: ServerResponse | null;
  /** Its other answers not yet closed, oldest first: pipelined requests only. */
  readonly queued: ServerResponse[];
}

/** The tracker: counts, answers in flight, and the call the server makes for each request. */
export interface ConnectionTracker {
  readonly stats: () => ConnectionStats;
  /** The answers being written now, one per request in flight. */
  readonly inFlight: () => Iterable<ServerResponse>;
  /** To be called first for every request: the connection is busy until its answer closes. */
  readonly onRequest: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * Holds the server's connections to the cap without ever locking probes out: a new connection
 * at the cap closes the least recently active idle one (never sent a request, or waiting
 * between keep-alive requests) instead of being refused, so a client holding thousands of idle
 * connections only ever loses its own. Only when every connection is busy answering a request
 * is the new one refused. A connection whose answer stops draining (a client that never reads)
 * is destroyed, so a busy connection is bounded too.
 *
 * The per-connection record is made when the connection opens; a request only looks it up and
 * moves the socket out of and back into the idle set, so the answer path grows and shrinks no
 * table (a Map entry per answer cost 1,500 instructions a request, under callgrind).
 */
export function trackConnections(server: Server, limits: ConnectionLimits): ConnectionTracker {
  // Insertion order is activity order: the first idle socket is the least recently active.
  const idle = new Set<Socket>();
  const open = new Map<Socket, Connection>();
  const stalledSince = new Map<Socket, number>();
  const counts = { reclaimed: 0, refused: 0, stalled: 0 };

  server.on('connection', (socket: Socket) => {
    if (open.size >= limits.maxConnections) {
      const reclaimed = reclaimOldestIdle(idle);
      if (reclaimed === null) {
        counts.refused += 1;
        socket.destroy();
        return;
      }
      // Forgotten now, not at its close event: the next connection must not reclaim it again.
      open.delete(reclaimed);
      counts.reclaimed += 1;
    }
    open.set(socket, { socket, first: null, queued: [] });
    idle.add(socket);
    socket.once('close', () => {
      idle.delete(socket);
      open.delete(socket);
      stalledSince.delete(socket);
    });
  });
  // One listener for every answer, not a closure per request: this runs on every probe.
  function answered(this: ServerResponse): void {
    const connection = open.get(this.req.socket);
    if (connection) release(connection, this, idle);
  }
  watchStalls(server, limits, stalledSince, () => open.keys(), counts);
  return {
    stats: () => ({ open: open.size, ...counts }),
    inFlight: () =>
      [...open.values()].flatMap(({ first, queued }) => (first ? [first, ...queued] : [])),
    onRequest: (req, res) => {
      const connection = open.get(req.socket);
      if (connection === undefined) return; // refused at the cap: destroyed already
      idle.delete(connection.socket);
      if (connection.first === null) connection.first = res;
      else connection.queued.push(res);
      res.on('close', answered);
    },
  };
}

/** Closes the least recently active idle connection and returns it; null when there is none. */
function reclaimOldestIdle(idle: Set<Socket>): Socket | null {
  const oldest = idle.values().next();
  if (oldest.done === true) return null;
  idle.delete(oldest.value);
  oldest.value.destroy();
  return oldest.value;
}

/** An answer has closed: the connection is idle again once none is left in flight on it. */
function release(connection: Connection, res: ServerResponse, idle: Set<Socket>): void {
  const { queued, socket } = connection;
  if (connection.first === res) connection.first = queued.shift() ?? null;
  else if (queued.includes(res)) queued.splice(queued.indexOf(res), 1);
  if (connection.first === null && !socket.destroyed) idle.add(socket);
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
  sockets: () => Iterable<Socket>,
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
