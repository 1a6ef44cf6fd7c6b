import { lstatSync, unlinkSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import type { Logger } from 'pino';
import { writeFileAtomic } from '../util/atomic-write.js';
import { HealthcheckdError } from '../errors.js';
import { clearEntry, describeEntry, discardEntry } from './pidfile-clear.js';
import { takeStartGuard } from './pidfile-guard.js';
import { judgePidfile, readPid, type Holder } from './pidfile-holder.js';

export { isAlive, readPid } from './pidfile-holder.js';

/** A held pidfile; `release` removes the pidfile and its lock. */
export interface Pidfile {
  readonly path: string;
  readonly release: () => void;
}

/**
 * How often a held pidfile is checked (and put back when something removed it), and how often
 * proper-lockfile refreshes its lock's mtime: lockers that still judge by age (an older
 * healthcheckd, a tmp cleaner) then never find it old.
 */
const keepMs = 5_000;

/** Takeovers tried before giving up on a lock that keeps coming back (a user racing us). */
const maxAttempts = 3;

/** What a held pidfile keeps between its checks. */
interface HeldState {
  unlock: (() => void) | null;
  released: boolean;
  /** The last problem logged, so that one that persists is logged once. */
  problem: string;
}

/**
 * Takes the pidfile: under the start guard, refuses while the pidfile names a live holder
 * (whether or not its lock is still there), then locks it with proper-lockfile and writes our
 * PID atomically. Whatever else is found (a dead holder's files, a planted lock, a FIFO, a
 * link) is taken over, never followed. While held, a removed pidfile or lock is put back.
 *
 * @param path absolute path of the pidfile; `<path>.lock` and `<path>.starting` sit beside it
 * @throws {HealthcheckdError} `E_ALREADY_RUNNING` (exit 1) while a live holder has it, naming
 *   its PID and command; `E_PIDFILE` (exit 1) when the directory is missing or not writable,
 *   or another user keeps re-creating the files
 */
export function acquirePidfile(path: string, logger: Logger): Pidfile {
  const releaseGuard = withContext(path, () => takeStartGuard(path, logger));
  try {
    const verdict = judgePidfile(path);
    if (verdict.holder) throw alreadyRunning(path, verdict.holder);
    if (!verdict.absent) {
      logger.warn(
        { pidfile: path, found: describeEntry(path), why: verdict.why },
        'pidfile with no live holder taken over',
      );
    }
    return withContext(path, () => hold(path, logger));
  } finally {
    releaseGuard();
  }
}

function hold(path: string, logger: Logger): Pidfile {
  const state: HeldState = { unlock: null, released: false, problem: '' };
  const onCompromised = (error: Error): void => {
    state.unlock = null;
    if (state.released) return;
    logger.error(
      { err: error, pidfile: path },
      'pidfile lock compromised (removed or changed by someone else); still running, taking it again',
    );
    keep(path, state, onCompromised, logger);
  };
  state.unlock = lockOrTakeOver(path, onCompromised, logger);
  try {
    writePid(path);
  } catch (error) {
    quietly(state.unlock);
    throw error;
  }
  const timer = setInterval(() => keep(path, state, onCompromised, logger), keepMs);
  timer.unref();
  const release = (): void => {
    if (state.released) return;
    state.released = true;
    clearInterval(timer);
    releasePidfile(path, state.unlock);
  };
  return { path, release };
}

/** proper-lockfile judges a lock only by its age; `stale: Infinity` turns that off. */
function lock(path: string, onCompromised: (error: Error) => void): () => void {
  return lockfile.lockSync(path, {
    realpath: false,
    stale: Infinity,
    update: keepMs,
    onCompromised,
  });
}

/** Locks the pidfile; a lock found there has no live holder (we checked): it is cleared. */
function lockOrTakeOver(
  path: string,
  onCompromised: (error: Error) => void,
  logger: Logger,
): () => void {
  const lockPath = `${path}.lock`;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    try {
      return lock(path, onCompromised);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    }
    const found = describeEntry(lockPath);
    const movedTo = clearEntry(lockPath);
    logger.warn(
      { lock: lockPath, found, ...(movedTo === null ? {} : { movedTo }) },
      'pidfile lock with no live holder cleared',
    );
  }
  throw new HealthcheckdError(
    'E_PIDFILE',
    `cannot take ${lockPath}: it came back ${maxAttempts} times (now ${describeEntry(lockPath)}); another user may be racing this start: use a piddir only healthcheckd's user can write`,
  );
}

/** Our PID, written atomically; a directory planted at the path is cleared first. */
function writePid(path: string): void {
  try {
    if (lstatSync(path).isDirectory()) clearEntry(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  writeFileAtomic(path, `${process.pid}\n`);
}

/**
 * Puts back what was removed from under the running daemon (a tmp cleaner, an operator): our
 * PID in the pidfile, then the lock. Never over another live holder, and only under the start
 * guard, so that a daemon starting meanwhile either sees our PID or gives way.
 */
function keep(
  path: string,
  state: HeldState,
  onCompromised: (error: Error) => void,
  logger: Logger,
): void {
  if (state.released || (readPid(path) === process.pid && state.unlock !== null)) return;
  try {
    const releaseGuard = takeStartGuard(path, logger);
    try {
      restore(path, state, onCompromised, logger);
    } finally {
      releaseGuard();
    }
    state.problem = '';
  } catch (error) {
    const problem = `cannot put back pidfile ${path}: ${(error as Error).message}`;
    if (problem !== state.problem) logger.error({ pidfile: path }, problem);
    state.problem = problem;
  }
}

function restore(
  path: string,
  state: HeldState,
  onCompromised: (error: Error) => void,
  logger: Logger,
): void {
  if (readPid(path) !== process.pid) {
    const verdict = judgePidfile(path);
    if (verdict.holder) {
      throw new Error(`it now names pid ${verdict.holder.pid}, which is running; left alone`);
    }
    writePid(path);
    logger.warn({ pidfile: path, was: verdict.why }, 'pidfile removed or replaced: written again');
  }
  if (state.unlock === null) {
    state.unlock = lockOrTakeOver(path, onCompromised, logger);
    logger.info({ pidfile: path }, 'pidfile lock taken again');
  }
}

/** Removes the pidfile if it still names us, then the lock (rmdir, never a recursive delete). */
function releasePidfile(path: string, unlock: (() => void) | null): void {
  const mine = readPid(path) === process.pid;
  if (mine) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
  if (unlock !== null) quietly(unlock);
  else if (mine) discardEntry(`${path}.lock`);
}

function quietly(unlock: () => void): void {
  try {
    unlock();
  } catch {
    // the lock was removed from under us; nothing left to release
  }
}

/** Runs a step of taking the pidfile; a system error becomes one line naming the pidfile. */
function withContext<T>(path: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof HealthcheckdError) throw error;
    throw pidfileError(path, error);
  }
}

function alreadyRunning(path: string, holder: Holder): HealthcheckdError {
  const what = holder.command === null ? '' : `: pid ${holder.pid} is "${holder.command}"`;
  return new HealthcheckdError(
    'E_ALREADY_RUNNING',
    `already running (pid ${holder.pid}, pidfile ${path})${what}; stop it first or use another --pidfile`,
  );
}

/** What to do about a system error while taking the pidfile, by its code. */
const hints: ReadonlyMap<string, string> = new Map([
  ['ENOENT', '; create its directory or set piddir'],
  ['ENOTDIR', '; create its directory or set piddir'],
  ['EACCES', '; make its directory writable or set piddir'],
  [
    'EPERM',
    "; another user's file is in the way: remove it as root or use a piddir only healthcheckd's user can write",
  ],
]);

function pidfileError(path: string, error: unknown): HealthcheckdError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return new HealthcheckdError(
    'E_PIDFILE',
    `cannot write pidfile ${path}: ${(error as Error).message}${hints.get(code) ?? ''}`,
    [],
    { cause: error },
  );
}
