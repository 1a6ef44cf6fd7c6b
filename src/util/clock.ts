import { performance } from 'node:perf_hooks';

declare const monotonicBrand: unique symbol;
declare const epochBrand: unique symbol;

/**
 * Milliseconds on the monotonic clock (`performance.now()`, since the process started). Ages,
 * timeouts and deadlines are measured with it: an NTP step or a VM resume cannot make an old
 * result look fresh or a deadline pass early. Meaningless outside this process.
 */
export type MonotonicMs = number & { readonly [monotonicBrand]: true };

/** Wall-clock milliseconds since the Unix epoch (`Date.now()`): times that people read. */
export type EpochMs = number & { readonly [epochBrand]: true };

/** Now on the monotonic clock. */
export function monotonicNow(): MonotonicMs {
  return performance.now() as MonotonicMs;
}

/** Now on the wall clock. */
export function epochNow(): EpochMs {
  return Date.now() as EpochMs;
}

/** A wall-clock time read from outside (a flag file, a test), as an `EpochMs`. */
export function asEpochMs(ms: number): EpochMs {
  return ms as EpochMs;
}

/** A monotonic time computed by arithmetic on another (`deadline = now + timeout`). */
export function asMonotonicMs(ms: number): MonotonicMs {
  return ms as MonotonicMs;
}

/** The latest wall-clock time a `Date` can hold, in epoch ms (ECMA-262 §21.4.1.31, TimeClip). */
export const latestWallMs = 8.64e15;

/** True for epoch milliseconds that a `Date` can hold, so that `toISOString` cannot throw. */
export function isWallTime(ms: number): ms is EpochMs {
  return Number.isFinite(ms) && Math.abs(ms) <= latestWallMs;
}

/** ISO 8601 for epoch ms; never throws: a time no `Date` can hold is described instead. */
export function formatWallTime(ms: number): string {
  if (isWallTime(ms)) return new Date(ms).toISOString();
  if (ms > latestWallMs) return `after ${new Date(latestWallMs).toISOString()}`;
  if (ms < -latestWallMs) return `before ${new Date(-latestWallMs).toISOString()}`;
  return 'not a date';
}
