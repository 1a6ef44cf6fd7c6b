import type { Logger } from 'pino';
import { inForce, scopeFile, type MaintenanceFlag } from './flag.js';
import { readSpool, spoolVersion, type SpoolEntry } from './spool.js';

/** The daemon's view of the spool: which flags are in force now. */
export interface MaintenanceView {
  /** The flag that puts an endpoint holding these checks in maintenance, or null. */
  readonly affecting: (checkNames: readonly string[]) => MaintenanceFlag | null;
  /** Every flag in force now. */
  readonly active: () => readonly SpoolEntry[];
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

/**
 * Creates the view. It stats the spool directory (a new, replaced or removed flag changes its
 * mtime) at most every `statEveryMs` and re-reads it only when it changed; expiry is judged
 * at question time. A change of the flags in force is logged once.
 */
export function createMaintenanceView(
  spoolDir: string,
  logger: Logger,
  now: () => number = Date.now,
): MaintenanceView {
  let version = -2n;
  let statAt = -Infinity;
  let readAt = 0;
  let entries: readonly SpoolEntry[] = [];
  let logged = '';
  const refresh = (time: number): void => {
    const current = spoolVersion(spoolDir);
    if (current === version && time - readAt <= rereadMs) return;
    version = current;
    readAt = time;
    entries = current === -1n ? [] : readSpool(spoolDir);
  };
  const inForceAt = (time: number): readonly SpoolEntry[] => {
    if (entries.length === 0 && logged === '') return entries;
    const inForceNow = entries.filter((entry) => inForce(entry.flag, time));
    logChange(inForceNow);
    return inForceNow;
  };
  // Requests look at most every statEveryMs; the poll does not count, so that a request
  // after a quiet spell always sees a flag set since the last request.
  const active = (): readonly SpoolEntry[] => {
    const time = now();
    if (time - statAt >= statEveryMs) {
      statAt = time;
      refresh(time);
    }
    return inForceAt(time);
  };
  const poll = (): void => {
    const time = now();
    refresh(time);
    inForceAt(time);
  };
  const logChange = (inForceNow: readonly SpoolEntry[]): void => {
    const key = inForceNow
      .map((entry) => `${scopeFile(entry.scope)}:${entry.flag.since}`)
      .join(',');
    if (key === logged) return;
    const before = logged;
    logged = key;
    if (inForceNow.length === 0) {
      logger.info({ spoolDir }, 'maintenance off');
      return;
    }
    const flags = inForceNow.map((entry) => ({ scope: scopeFile(entry.scope), ...entry.flag }));
    logger.warn(
      { flags, previously: before || 'none' },
      `maintenance on: ${flags.map((f) => `${f.scope} (${f.reason})`).join(', ')}`,
    );
  };
  return {
    active,
    poll,
    affecting(checkNames) {
      const flags = active();
      if (flags.length === 0) return null;
      for (const { scope, flag } of flags) {
        if (scope.kind === 'all' || checkNames.includes(scope.name)) return flag;
      }
      return null;
    },
  };
}
