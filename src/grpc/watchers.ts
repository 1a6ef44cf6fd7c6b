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
  /** The last status written to the stream. */
  written: ServingStatus | null;
  /** Set while the stream needs draining: the newest status for it, or null. */
  waiting: boolean;
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
      const watcher: Watcher = { service, call, written: null, waiting: false, pending: null };
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
        if (watcher.written !== final) watcher.call.write({ status: final });
        watcher.call.end();
      }
      all.clear();
    },
    size: () => all.size,
  };
}

function send(watcher: Watcher, status: ServingStatus): void {
  if (watcher.waiting) {
    watcher.pending = status;
    return;
  }
  if (watcher.written === status) return;
  if (watcher.call.writableNeedDrain) {
    watcher.waiting = true;
    watcher.pending = status;
    watcher.call.once('drain', () => flush(watcher));
    return;
  }
  watcher.written = status;
  watcher.call.write({ status });
}

function flush(watcher: Watcher): void {
  const status = watcher.pending;
  watcher.waiting = false;
  watcher.pending = null;
  if (status !== null) send(watcher, status);
}
