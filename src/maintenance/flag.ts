import type { MaintenanceFlag, Scope } from '../types.js';
import { asEpochMs, formatWallTime, isWallTime, type EpochMs } from '../util/clock.js';

const all: Scope = { kind: 'all' };

/** The scope a spool file name stands for, or null for a file that is not a flag. */
export function scopeOf(file: string): Scope | null {
  if (file === 'all') return all;
  const match = /^check:([A-Za-z0-9_.-]+)$/.exec(file);
  return match?.[1] ? { kind: 'check', name: match[1] } : null;
}

/** True when the flag puts an endpoint holding these checks in maintenance. */
export function covers(flag: MaintenanceFlag, checkNames: readonly string[]): boolean {
  return flag.scope.kind === 'all' || checkNames.includes(flag.scope.name);
}

/** True while the flag is in force; an expired flag counts as absent. */
export function inForce(flag: MaintenanceFlag, now: number): boolean {
  return flag.until === null || flag.until > now;
}

/** The flag a stopping daemon answers under for `shutdown_delay` (`delayMs`). */
export function shutdownFlag(now: EpochMs, delayMs: number): MaintenanceFlag {
  const until = now + delayMs;
  return {
    scope: all,
    reason: 'shutting down',
    since: now,
    until: isWallTime(until) ? asEpochMs(until) : null,
    by: 'healthcheckd',
  };
}

/** The JSON stored for a flag: `{reason, since, until, by}` with ISO times; scope is the file name. */
export function serializeFlag(flag: MaintenanceFlag): string {
  const until = flag.until === null ? null : formatWallTime(flag.until);
  const stored = { reason: flag.reason, since: formatWallTime(flag.since), until, by: flag.by };
  return `${JSON.stringify(stored, null, 2)}\n`;
}
