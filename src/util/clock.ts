import { performance } from 'node:perf_hooks';

/**
 * Milliseconds since the epoch that never step back: the process's start time plus a
 * monotonic clock. Ages of results (cache_pass, max_age) are measured with it, so an NTP step
 * or a VM resume cannot make an old pass look fresh.
 */
export function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}
