import { closeSync, constants, fstatSync, openSync, readFileSync, readSync } from 'node:fs';

/** A live process named by a pidfile (or the start guard) that healthcheckd must respect. */
export interface Holder {
  readonly pid: number;
  /** Its command name (`/proc/<pid>/comm`), null where /proc cannot tell. */
  readonly command: string | null;
}

/** Whether a pidfile has a holder healthcheckd must respect, or why it has none. */
export type Verdict =
  | { readonly holder: Holder }
  | { readonly holder: null; readonly absent: boolean; readonly why: string };

/** What a pidfile holds: the PID it names and who owns the file. */
type PidEntry =
  | { readonly pid: number; readonly ownerUid: number }
  | { readonly pid: null; readonly absent: boolean; readonly why: string };

/** What /proc says about a process; null fields where it cannot tell. */
interface ProcessFacts {
  readonly uid: number | null;
  readonly zombie: boolean;
}

/**
 * Judges a pidfile (or the start guard). It has a holder when it is a regular file owned by
 * root or, for a daemon that is not root, by anyone; the PID in it is alive, not ours and not a
 * zombie; and that process runs as the file's owner (a file is owned by the process that wrote
 * it, so a PID running as someone else was reused or planted). Anything else is stale or
 * planted and may be taken over. File times are never looked at.
 */
export function judgePidfile(path: string): Verdict {
  const entry = readPidEntry(path);
  if (entry.pid === null) return { holder: null, absent: entry.absent, why: entry.why };
  const { pid, ownerUid } = entry;
  const stale = (why: string): Verdict => ({ holder: null, absent: false, why });
  if (!trustedOwner(ownerUid)) return stale(`owned by uid ${ownerUid}, not by root`);
  if (!isAlive(pid)) return stale(`pid ${pid} is not running`);
  const { uid } = processFacts(pid);
  // /proc unreadable (hidepid, not Linux): the PID alone decides, the cautious side.
  if (uid !== null && uid !== ownerUid) {
    return stale(`pid ${pid} runs as uid ${uid}, not as the file's owner (uid ${ownerUid})`);
  }
  return { holder: { pid, command: processCommand(pid) } };
}

/** The live process a pidfile names, when healthcheckd must respect it (see judgePidfile). */
export function liveHolder(path: string): Holder | null {
  return judgePidfile(path).holder;
}

/**
 * A root daemon trusts only root's files: any local user can plant a file in a shared directory
 * such as /tmp, none can make one owned by root. A daemon that is not root cannot remove
 * another user's file from a sticky directory anyway, so it respects every owner.
 */
function trustedOwner(uid: number): boolean {
  return process.geteuid?.() !== 0 || uid === 0;
}

/**
 * The PID in a pidfile, or null when there is none or it is not a number. Only a regular file
 * is read (no symlink followed, a FIFO never blocks), and only its first bytes.
 */
export function readPid(path: string): number | null {
  return readPidEntry(path).pid;
}

function readPidEntry(path: string): PidEntry {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { pid: null, absent: true, why: 'absent' };
    return { pid: null, absent: false, why: code === 'ELOOP' ? 'a symbolic link' : String(code) };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { pid: null, absent: false, why: 'not a regular file' };
    const buffer = Buffer.alloc(32);
    const text = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
    const pid = /^\s*\d+\s*$/.test(text) ? Number.parseInt(text, 10) : NaN;
    if (!Number.isSafeInteger(pid) || pid <= 0) {
      return { pid: null, absent: false, why: 'names no PID' };
    }
    return { pid, ownerUid: stat.uid };
  } catch (error) {
    return { pid: null, absent: false, why: (error as Error).message };
  } finally {
    closeSync(fd);
  }
}

/**
 * True when a process with this PID exists and has not exited: ours does not count (a pidfile
 * from before a reboot), nor does a zombie (a daemon that died and is not yet reaped).
 */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !processFacts(pid).zombie;
}

/** The effective uid and state of a process, from /proc/<pid>/status. */
function processFacts(pid: number): ProcessFacts {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { uid: null, zombie: false };
  }
  const uid = /^Uid:\s+\d+\s+(\d+)/m.exec(text)?.[1];
  const state = /^State:\s+(\S)/m.exec(text)?.[1];
  return {
    uid: uid === undefined ? null : Number(uid),
    zombie: state === 'Z' || state === 'X',
  };
}

function processCommand(pid: number): string | null {
  try {
    const command = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    return command === '' ? null : command;
  } catch {
    return null;
  }
}
