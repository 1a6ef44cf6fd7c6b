import { monotonicNow, type MonotonicMs } from '../util/clock.js';

/** Bounds how many check runs go at once, across all checks (`max_concurrent`). */
export interface Limiter {
  /**
   * Waits for a slot until `deadline`; resolves to a release function, or to
   * null when the deadline passed first — waiting for a slot counts against the check's timeout.
   */
  readonly acquire: (deadline: MonotonicMs) => Promise<(() => void) | null>;
  readonly active: () => number;
  readonly waiting: () => number;
}

interface Waiter {
  readonly grant: (release: () => void) => void;
  readonly timer: NodeJS.Timeout;
}

/** Creates a limiter with `slots` slots, granted first come, first served. */
export function createLimiter(slots: number): Limiter {
  let active = 0;
  const queue: Waiter[] = [];
  const release = (): void => {
    const next = queue.shift();
    if (!next) {
      active -= 1;
      return;
    }
    clearTimeout(next.timer);
    next.grant(once(release));
  };
  return {
    acquire(deadline) {
      if (active < slots) {
        active += 1;
        return Promise.resolve(once(release));
      }
      return new Promise((resolve) => {
        const waiter: Waiter = {
          grant: resolve,
          timer: setTimeout(
            () => {
              queue.splice(queue.indexOf(waiter), 1);
              resolve(null);
            },
            Math.max(0, deadline - monotonicNow()),
          ),
        };
        queue.push(waiter);
      });
    },
    active: () => active,
    waiting: () => queue.length,
  };
}

function once(fn: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    fn();
  };
}
