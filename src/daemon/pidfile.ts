import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  rmdirSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import lockfile from 'proper-lockfile';
import type { Logger } from 'pino';
import { writeFileAtomic } from '../util/atomic-write.js';
import { HealthcheckdError } from '../errors.js';

/** A held pidfile; `release` removes the pidfile and its lock. */
export interface Pidfile {
  readonly path: string;
  readonly release: () => void;
}

/** proper-lockfile's defaults: a lock untouched this long counts as stale. */
const staleMs = 10_000;

/**
 * Takes the pidfile: locks it with proper-lockfile, then writes our PID atomically. A lock
 * whose pidfile names a dead process (kill -9) is taken over at once. All of it happens under
 * a start guard (a second lock), so that two daemons starting together cannot both win: the
 * guard is released only once our PID is in the pidfile.
 */
export function acquirePidfile(path: string, logger: Logger): Pidfile {
  const onCompromised = (error: Error): void =>
    logger.error(
      { err: error, pidfile: path },
      'pidfile lock compromised; still running, check for a second daemon',
    );
  const releaseGuard = takeStartGuard(path);
  try {
    const release = lockOrTakeOver(path, onCompromised);
    try {
      writeFileAtomic(path, `${process.pid}\n`);
    } catch (error) {
      release();
      throw pidfileError(path, error);
    }
    return { path, release: () => releasePidfile(path, release) };
  } finally {
    releaseGuard();
  }
}

function lock(path: string, onCompromised: (error: Error) => void): () => void {
  return lockfile.lockSync(path, { realpath: false, stale: staleMs, onCompromised });
}

function takeStartGuard(path: string): () => void {
  try {
    return lock(`${path}.starting`, () => undefined);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw pidfileError(path, error);
    throw new HealthcheckdError(
      'E_ALREADY_RUNNING',
      `already running (pid unknown, pidfile ${path}): another healthcheckd is starting (${path}.starting.lock is held); try again in a moment`,
    );
  }
}

function lockOrTakeOver(path: string, onCompromised: (error: Error) => void): () => void {
  try {
    return lock(path, onCompromised);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw pidfileError(path, error);
  }
  const holder = readPid(path);
  if (holder === null || isAlive(holder)) throw alreadyRunning(path, holder);
  // proper-lockfile's lock is an empty directory: rmdir, never a recursive delete that could
  // be raced into removing someone else's files.
  try {
    rmdirSync(`${path}.lock`);
  } catch (error) {
    throw new HealthcheckdError(
      'E_PIDFILE',
      `cannot take over ${path}.lock left by dead pid ${holder}: ${(error as Error).message}; remove it by hand`,
    );
  }
  try {
    return lock(path, onCompromised);
  } catch {
    throw alreadyRunning(path, readPid(path));
  }
}

/**
 * The PID in a pidfile, or null when there is none or it is not a number. Only a regular file
 * is read (no symlink followed, a FIFO never blocks), and only its first bytes.
 */
export function readPid(path: string): number | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    const buffer = Buffer.alloc(32);
    const text = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
    const pid = Number.parseInt(text.trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** True when a process with this PID exists (ours does not count: a pidfile from before a reboot). */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releasePidfile(path: string, unlock: () => void): void {
  if (readPid(path) === process.pid) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
  try {
    unlock();
  } catch {
    // the lock was removed from under us; nothing left to release
  }
}

function alreadyRunning(path: string, pid: number | null): HealthcheckdError {
  if (pid === null) {
    const age = lockAgeSeconds(path);
    return new HealthcheckdError(
      'E_ALREADY_RUNNING',
      `already running (pid unknown, pidfile ${path}): the lock ${path}.lock is held${age === null ? '' : ` (touched ${age} s ago)`} but the pidfile names no process; wait ${staleMs / 1000} s for it to go stale or stop the other daemon`,
    );
  }
  return new HealthcheckdError(
    'E_ALREADY_RUNNING',
    `already running (pid ${pid}, pidfile ${path}); stop it first or use another --pidfile`,
  );
}

function lockAgeSeconds(path: string): number | null {
  try {
    return Math.round((Date.now() - statSync(`${path}.lock`).mtimeMs) / 1000);
  } catch {
    return null;
  }
}

function pidfileError(path: string, error: unknown): HealthcheckdError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reason = (error as Error).message;
  return new HealthcheckdError(
    'E_PIDFILE',
    `cannot write pidfile ${path}: ${reason}${code === 'ENOENT' ? '; create its directory or set piddir' : code === 'EACCES' ? '; make its directory writable or set piddir' : ''}`,
  );
}
