import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { scopeOf } from './flag.js';
import { isWallTime, epochNow, type EpochMs } from '../util/clock.js';
import { scopeName } from '../util/text.js';
import type { MaintenanceFlag, Scope } from '../types.js';
import { flagFromText } from './parse-flag.js';

/** The most of a flag file that is read: a larger file is not a flag. */
export const flagReadLimit = 4096;

/** What the spool holds. */
export interface SpoolReading {
  /** Every flag, expired ones included; one `all` flag when the spool cannot be listed. */
  readonly flags: readonly MaintenanceFlag[];
  /** Why the spool could not be listed (it then puts every check in maintenance), or null. */
  readonly unlisted: string | null;
}

/**
 * Reads the spool without ever blocking, following a link or reading more than
 * `flagReadLimit` bytes of a flag. An entry under a flag's name that is not a readable regular
 * file is a flag with a note naming what was found, and none of its content. A spool that does
 * not exist holds no flag; one that exists but cannot be listed is maintenance for every check
 * (fail closed).
 */
export function readSpoolFlags(spoolDir: string, now: EpochMs = epochNow()): SpoolReading {
  let files: string[];
  try {
    files = readdirSync(spoolDir);
  } catch (error) {
    if (absent(spoolDir, error)) return { flags: [], unlisted: null };
    return unlistedSpool(spoolDir, error, now);
  }
  const flags: MaintenanceFlag[] = [];
  for (const file of files) {
    const scope = scopeOf(file);
    const flag = scope ? readEntry(join(spoolDir, file), scope, now) : null;
    if (flag) flags.push(flag);
  }
  return { flags, unlisted: null };
}

/** ENOENT, or ENOTDIR for a path whose parent is not a directory: no spool, no flag. */
function absent(spoolDir: string, error: unknown): boolean {
  const code = errorCode(error);
  if (code === 'ENOENT') return true;
  if (code !== 'ENOTDIR') return false;
  try {
    statSync(spoolDir);
    return false;
  } catch {
    return true;
  }
}

function unlistedSpool(spoolDir: string, error: unknown, now: EpochMs): SpoolReading {
  const code = errorCode(error) || 'error';
  const unlisted = `spool ${spoolDir} exists but cannot be listed (${code}): every check is in maintenance until the daemon's user may list it`;
  let since: number = now;
  try {
    since = statSync(spoolDir).mtimeMs;
  } catch {
    // not even its time can be read: now will do
  }
  const flag: MaintenanceFlag = {
    scope: { kind: 'all' },
    reason: `spool cannot be listed (${code})`,
    since: isWallTime(since) ? since : now,
    until: null,
    by: 'healthcheckd',
    note: unlisted,
  };
  return { flags: [flag], unlisted };
}

/** One spool entry under a flag's name; null when it is gone. */
function readEntry(path: string, scope: Scope, now: EpochMs): MaintenanceFlag | null {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    return noted(scope, `cannot be examined (${errorCode(error)})`, unknownEntry, now);
  }
  // Not opened at all unless it is a regular file: opening a FIFO or a device can block or act.
  if (!stats.isFile()) return noted(scope, `is ${kindOf(stats)}, not a flag`, stats, now);
  if (stats.size > flagReadLimit) return oversize(scope, stats, now);
  return readRegular(path, scope, stats, now);
}

function readRegular(
  path: string,
  scope: Scope,
  seen: EntryInfo,
  now: EpochMs,
): MaintenanceFlag | null {
  let fd: number;
  try {
    // O_NOFOLLOW and O_NONBLOCK: the entry may have been swapped since lstat.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return null;
    // ELOOP on Linux, EMLINK on the BSDs: O_NOFOLLOW met a link.
    if (code === 'ELOOP' || code === 'EMLINK') {
      return noted(scope, 'is a symbolic link, not a flag', unknownEntry, now);
    }
    return noted(scope, `cannot be read (${code}), not a flag`, seen, now);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return noted(scope, `is ${kindOf(stats)}, not a flag`, stats, now);
    const buffer = Buffer.alloc(flagReadLimit + 1);
    const length = readUpTo(fd, buffer);
    if (length > flagReadLimit) return oversize(scope, stats, now);
    const found = { scope, mtimeMs: stats.mtimeMs, uid: stats.uid };
    return flagFromText(buffer.toString('utf8', 0, length), found, now);
  } catch (error) {
    return noted(scope, `cannot be read (${errorCode(error)}), not a flag`, seen, now);
  } finally {
    closeSync(fd);
  }
}

/** Reads until the buffer is full or the file ends: at most `buffer.length` bytes. */
function readUpTo(fd: number, buffer: Buffer): number {
  let length = 0;
  while (length < buffer.length) {
    const read = readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) break;
    length += read;
  }
  return length;
}

/** The time and owner of an entry, when they are known; uid -1 when not. */
interface EntryInfo {
  readonly mtimeMs: number;
  readonly uid: number;
}

const unknownEntry: EntryInfo = { mtimeMs: NaN, uid: -1 };

function oversize(scope: Scope, stats: EntryInfo, now: EpochMs): MaintenanceFlag {
  return noted(scope, `is larger than ${flagReadLimit} bytes, not a flag`, stats, now);
}

/** A flag for an entry whose content is not shown: what was found is the reason and the note. */
function noted(scope: Scope, what: string, found: EntryInfo, now: EpochMs): MaintenanceFlag {
  const note = `spool entry ${scopeName(scope)} ${what}`;
  return {
    scope,
    reason: note,
    since: isWallTime(found.mtimeMs) ? found.mtimeMs : now,
    until: null,
    by: found.uid < 0 ? 'unknown' : `uid ${found.uid}`,
    note,
  };
}

function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/**
 * The spool directory's change time, to notice new or removed flags cheaply: -1 when it does not
 * exist, -2 when it cannot be looked at (then it is read, and fails closed).
 */
export function spoolVersion(spoolDir: string): bigint {
  try {
    return statSync(spoolDir, { bigint: true }).mtimeNs;
  } catch (error) {
    const code = errorCode(error);
    return code === 'ENOENT' || code === 'ENOTDIR' ? -1n : -2n;
  }
}

/** The system error code of a failed fs call; '' for anything else. */
export function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | null)?.code ?? '';
}
