import { epochNow, monotonicNow, type EpochMs, type MonotonicMs } from '../util/clock.js';
import type { Logger } from 'pino';
import { covers, inForce } from './flag.js';
import { maintenanceMember, scopeName } from '../util/text.js';
import type { HealthMaintenance, MaintenanceFlag } from '../types.js';
import { readSpoolFlags, spoolVersion, type SpoolReading } from './spool.js';

/** The daemon's view of the spool: which flags are in force now. */
export interface MaintenanceView {
  /** The flag that puts an endpoint holding these checks in maintenance, or null. */
  readonly affecting: (checkNames: readonly string[]) => MaintenanceFlag | null;
  /** Every flag in force now. */
  readonly active: () => readonly MaintenanceFlag[];
  /** Re-reads the spool now, logging a change (the daemon's 1 s timer). */
  readonly poll: () => void;
}

/** Re-reads the spool at most this often when its directory did not change (in-place edits). */
const rereadMs = 5_000;

/**
 * Looks at the spool directory at most this often. A stat on every request cost a sixth of
 * the CPU of a cached answer (bench/, --cpu-prof); a flag takes effect within this delay.
 */
export const statEveryMs = 100;

const empty: SpoolReading = { flags: [], unlisted: null };

/**
 * Creates the view. It stats the spool directory (a new, replaced or removed flag changes its
 * mtime) at most every `statEveryMs` and re-reads it only when it changed; expiry is judged
 * at question time. A change of the flags in force is logged once, and so are a spool that
 * cannot be listed and its recovery.
 */
export function createMaintenanceView(
  spoolDir: string,
  logger: Logger,
  now: () => EpochMs = epochNow,
  elapsed: () => MonotonicMs = monotonicNow,
): MaintenanceView {
  let version = -3n;
  let statAt = -Infinity;
  let readAt = 0;
  let reading = empty;
  const logChange = changeLogger(spoolDir, logger);
  const refresh = (time: EpochMs, at: MonotonicMs): void => {
    const current = spoolVersion(spoolDir);
    if (current === version && at - readAt <= rereadMs) return;
    version = current;
    readAt = at;
    reading = current === -1n ? empty : readSpoolFlags(spoolDir, time);
  };
  const inForceAt = (time: EpochMs): readonly MaintenanceFlag[] => {
    if (reading.flags.length === 0 && logChange.quiet()) return reading.flags;
    const inForceNow = reading.flags.filter((flag) => inForce(flag, time));
    logChange(inForceNow, reading.unlisted);
    return inForceNow;
  };
  // Requests look at most every statEveryMs; the poll does not count, so that a request
  // after a quiet spell always sees a flag set since the last request.
  const active = (): readonly MaintenanceFlag[] => {
    const time = now();
    const at = elapsed();
    if (at - statAt >= statEveryMs) {
      statAt = at;
      refresh(time, at);
    }
    return inForceAt(time);
  };
  const poll = (): void => {
    const time = now();
    refresh(time, elapsed());
    inForceAt(time);
  };
  return {
    active,
    poll,
    affecting(checkNames) {
      const flags = active();
      return flags.length === 0 ? null : (flags.find((flag) => covers(flag, checkNames)) ?? null);
    },
  };
}

type ChangeLogger = ((inForceNow: readonly MaintenanceFlag[], unlisted: string | null) => void) & {
  /** True while nothing is in force and the spool could be listed last time. */
  readonly quiet: () => boolean;
};

/** Logs each change of the flags in force, and of the spool's listability, once. */
function changeLogger(spoolDir: string, logger: Logger): ChangeLogger {
  let logged = '';
  let scopesBefore = 'none';
  let unlistedBefore: string | null = null;
  const log = (inForceNow: readonly MaintenanceFlag[], unlisted: string | null): void => {
    if (unlisted !== unlistedBefore) {
      if (unlisted !== null) logger.error({ spoolDir }, unlisted);
      else logger.info({ spoolDir }, `spool ${spoolDir} can be listed again`);
      unlistedBefore = unlisted;
    }
    const key = inForceNow.map(flagKey).join(',');
    if (key === logged) return;
    const previously = scopesBefore;
    logged = key;
    scopesBefore = inForceNow.map((flag) => scopeName(flag.scope)).join(', ') || 'none';
    if (inForceNow.length === 0) {
      logger.info({ spoolDir, previously }, 'maintenance off');
      return;
    }
    const flags = inForceNow.map(logMember);
    logger.warn(
      { flags, previously },
      `maintenance on: ${flags.map((flag) => `${flag.scope} (${flag.reason})`).join(', ')}`,
    );
  };
  return Object.assign(log, { quiet: () => logged === '' && unlistedBefore === null });
}

/** A flag as a log line carries it: times ISO 8601; no `until` for one that lasts until `up`. */
function logMember(flag: MaintenanceFlag): Omit<HealthMaintenance, 'until'> & { until?: string } {
  const { until, ...member } = maintenanceMember(flag);
  return until === null ? member : { ...member, until };
}

/**
 * What tells two flags apart in the log. A flag with a note keeps its key while the same thing
 * is found, even when its time is only the time it was looked at.
 */
function flagKey(flag: MaintenanceFlag): string {
  const name = scopeName(flag.scope);
  return flag.note === undefined ? `${name}:${flag.since}` : `${name}:${flag.note}:${flag.reason}`;
}
