import {
  closeSync,
  constants,
  linkSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { Logger } from 'pino';
import { HealthcheckdError } from '../errors.js';
import { describeEntry, discardEntry } from './pidfile-clear.js';
import { liveHolder, readPid, type Holder } from './pidfile-holder.js';
import { uniqueSuffix } from '../util/unique-suffix.js';

/** Takeovers tried before giving up on a guard that keeps coming back (a user racing us). */
const maxAttempts = 3;

/**
 * Serialises starts on one pidfile: `<pidfile>.starting` is created by link(2) from a file that
 * already holds our PID, so it names its holder from its first instant and is judged by that
 * holder's liveness alone, like the pidfile. Returns the release; throws E_ALREADY_RUNNING
 * while another live healthcheckd holds it.
 */
export function takeStartGuard(pidfile: string, logger: Logger): () => void {
  const guard = `${pidfile}.starting`;
  const ticket = writeTicket(guard);
  try {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (tryLink(ticket, guard)) return () => releaseGuard(guard);
      const holder = liveHolder(guard);
      if (holder) throw startingError(pidfile, holder);
      moveStaleGuard(pidfile, guard, logger);
    }
  } finally {
    discardEntry(ticket);
  }
  throw new HealthcheckdError(
    'E_PIDFILE',
    `cannot take ${guard}: it came back ${maxAttempts} times (now ${describeEntry(guard)}); another user may be racing this start: use a piddir only healthcheckd's user can write`,
  );
}

/** A file beside the guard holding our PID, created without following any link. */
function writeTicket(guard: string): string {
  const ticket = `${guard}.${process.pid}.${uniqueSuffix()}`;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const fd = openSync(ticket, flags, 0o644);
  try {
    writeSync(fd, `${process.pid}\n`);
  } catch (error) {
    closeSync(fd);
    discardEntry(ticket);
    throw error;
  }
  closeSync(fd);
  return ticket;
}

function tryLink(ticket: string, guard: string): boolean {
  try {
    linkSync(ticket, guard);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Moves a dead, planted or odd guard aside. The move is atomic, so of two starters taking over
 * the same stale guard one moves it; should the other's move catch the winner's fresh guard
 * instead, it sees a live holder in what it moved, puts it back and gives way.
 */
function moveStaleGuard(pidfile: string, guard: string, logger: Logger): void {
  const found = describeEntry(guard);
  const aside = `${guard}.stale-${uniqueSuffix()}`;
  try {
    renameSync(guard, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const holder = liveHolder(aside);
  if (holder) {
    restore(aside, guard);
    throw startingError(pidfile, holder);
  }
  // A directory with something in it stays aside; name where, so the operator can look.
  const left = discardEntry(aside) ? {} : { movedTo: aside };
  logger.warn({ guard, found, ...left }, 'start guard with no live holder taken over');
}

function restore(aside: string, guard: string): void {
  try {
    linkSync(aside, guard);
  } catch {
    // a third starter holds the guard now; it goes on
  }
  discardEntry(aside);
}

function releaseGuard(guard: string): void {
  if (readPid(guard) !== process.pid) return;
  try {
    unlinkSync(guard);
  } catch {
    // already gone
  }
}

function startingError(pidfile: string, holder: Holder): HealthcheckdError {
  const what = holder.command === null ? '' : ` ("${holder.command}")`;
  return new HealthcheckdError(
    'E_ALREADY_RUNNING',
    `already running (pid ${holder.pid}, pidfile ${pidfile}): pid ${holder.pid}${what} is starting on this pidfile right now; try again in a moment`,
  );
}
