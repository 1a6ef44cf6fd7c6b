import type { ServingStatus } from './status.js';

/** One Watch stream, as far as the watchers need it (grpc-js's ServerWritableStream fits). */
export interface WatchCall {
  readonly write: (message: { status: ServingStatus }) => boolean;
  readonly end: () => void;
  readonly writableNeedDrain: boolean;
  readonly once: (event: 'drain', listener: () => void) => unknown;
}

/** The open Watch streams of one server. */
export interface Watchers {
  /** Adds a stream and sends it the state of its service now. Returns how to remove it. */
  readonly add: (service: string, call: WatchCall) => () => void;
  /** Sends each stream its service's state when it changed since the last one sent. */
  readonly refresh: (read: (service: string) => ServingStatus) => void;
  /** Sends every stream `final` (when it differs), then ends it. */
  readonly endAll: (final: ServingStatus) => void;
  readonly size: () => number;
}

interface Watcher {
  readonly service: string;
  readonly call: WatchCall;
  /** The last status handed to the stream, or queued for it. */
  last: ServingStatus | null;
  /** A status waiting for the stream to drain: only the newest is kept. */
  pending: ServingStatus | null;
}

/**
 * Creates the set. A client that does not read its stream holds at most one status queued
 * here (older ones are replaced, not piled up) beyond what its stream buffered: memory stays
 * bounded and the other streams and calls go on.
 */
export function createWatchers(read: (service: string) => ServingStatus): Watchers {
  const all = new Set<Watcher>();
  return {
    add(service, call) {
      const watcher: Watcher = { service, call, last: null, pending: null };
      all.add(watcher);
      send(watcher, read(service));
      return () => void all.delete(watcher);
    },
    refresh(readNow) {
      const seen = new Map<string, ServingStatus>();
      for (const watcher of all) {
        let status = seen.get(watcher.service);
        if (status === undefined) {
          status = readNow(watcher.service);
          seen.set(watcher.service, status);
        }
        send(watcher, status);
      }
    },
    endAll(final) {
      // Written past any backpressure: the stream ends right after, so nothing piles up.
      for (const watcher of all) {
        if (watcher.last !== final) watcher.call.write({ status: final });
        watcher.call.end();
      }
      all.clear();
    },
    size: () => all.size,
  };
}

function send(watcher: Watcher, status: ServingStatus): void {
  if (watcher.last === status) return;
  watcher.last = status;
  if (watcher.pending !== null || watcher.call.writableNeedDrain) {
    const waiting = watcher.pending !== null;
    watcher.pending = status;
    if (!waiting) watcher.call.once('drain', () => flush(watcher));
    return;
  }
  watcher.call.write({ status });
}

function flush(watcher: Watcher): void {
  const status = watcher.pending;
  watcher.pending = null;
  if (status !== null) watcher.call.write({ status });
}
