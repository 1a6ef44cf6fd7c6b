import { lstatSync, renameSync, rmdirSync, unlinkSync, type Stats } from 'node:fs';
import { readPid } from './pidfile-holder.js';
import { uniqueSuffix } from '../util/unique-suffix.js';

/**
 * Clears `path` for a takeover without ever following a link: a file, link, FIFO or socket is
 * unlinked, an empty directory removed, a directory with something in it (planted, not
 * proper-lockfile's) moved aside whole to `<path>.stale-<random>`, the name returned. A
 * directory another user owns is never walked: a recursive delete there can be raced into
 * deleting files elsewhere.
 */
export function clearEntry(path: string): string | null {
  let stat: Stats;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (!stat.isDirectory()) return ignoreMissing(() => unlinkSync(path));
  try {
    rmdirSync(path);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    // Swapped for a link or file since the lstat: rmdir never follows one; unlink it.
    if (code === 'ENOTDIR') return ignoreMissing(() => unlinkSync(path));
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  const aside = `${path}.stale-${uniqueSuffix()}`;
  renameSync(path, aside);
  return aside;
}

/**
 * Removes an entry already moved aside (or our own temp file); false when it stays: a
 * directory with something in it is left where it is.
 */
export function discardEntry(path: string): boolean {
  try {
    if (lstatSync(path).isDirectory()) rmdirSync(path);
    else unlinkSync(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** What stands at `path`, for a log line: its type, its owner and the PID it names. */
export function describeEntry(path: string): string {
  let stat: Stats;
  try {
    stat = lstatSync(path);
  } catch {
    return 'nothing';
  }
  const owner = `owned by uid ${stat.uid}`;
  if (!stat.isFile()) return `a ${typeName(stat)} ${owner}`;
  const pid = readPid(path);
  return `a file ${owner} ${pid === null ? 'naming no PID' : `naming pid ${pid}`}`;
}

function typeName(stat: Stats): string {
  if (stat.isDirectory()) return 'directory';
  if (stat.isSymbolicLink()) return 'symbolic link';
  if (stat.isFIFO()) return 'FIFO';
  if (stat.isSocket()) return 'socket';
  return 'device';
}

function ignoreMissing(remove: () => void): null {
  try {
    remove();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return null;
}
