import { describeOutcome } from '../util/text.js';
import type { CheckReport } from '../types.js';
import { formatWallTime, isWallTime } from '../util/clock.js';

/** A span of time for people: `45 s`, `3 min`, `2 h 5 min`, `4 d 3 h` (never negative). */
export function formatSpan(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return twoUnits(hours, 'h', minutes % 60, 'min');
  return twoUnits(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

function twoUnits(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small === 0 ? `${big} ${bigUnit}` : `${big} ${bigUnit} ${small} ${smallUnit}`;
}

/** How long before `now` a moment was: `12 s ago`, `just now` under a second. */
export function formatAgo(at: number, now: number): string {
  return now - at < 1000 ? 'just now' : `${formatSpan(now - at)} ago`;
}

/** How long after `now` a moment is: `in 29 min`. */
export function formatIn(at: number, now: number): string {
  return `in ${formatSpan(at - now)}`;
}

/** A run's duration: `0.8 ms` below 10 ms, whole milliseconds above. */
export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** A moment as an unambiguous wall-clock time: `2026-11-23 17:00:17 UTC`. */
export function formatClock(at: number): string {
  if (!isWallTime(at)) return formatWallTime(at);
  return `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** How the last run ended: `exit 0`, `HTTP 503`, `killed by SIGKILL`, `timed out`, ... */
export function formatOutcome(check: CheckReport): string {
  const last = check.last;
  if (last === null) return 'not run yet';
  return describeOutcome(last, check.kind);
}
