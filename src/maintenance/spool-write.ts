import { closeSync, constants, fchmodSync, mkdirSync, openSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { HealthcheckdError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { serializeFlag } from './flag.js';
import { scopeName } from '../util/text.js';
import type { MaintenanceFlag, Scope } from '../types.js';
import { errorCode } from './spool.js';

/**
 * Sets a flag atomically (never through a link at its path), creating the spool directory when
 * needed. The directories it creates are 0755 and the flag 0644 whatever the umask, so that a
 * daemon running as another user can read them.
 */
export function writeSpoolFlag(spoolDir: string, scope: Scope, flag: MaintenanceFlag): string {
  const path = join(spoolDir, scopeName(scope));
  try {
    createSpoolDir(spoolDir);
    writeFileAtomic(path, serializeFlag(flag), 0o644, { exactMode: true });
  } catch (error) {
    throw spoolError('write maintenance flag', path, error);
  }
  return path;
}

/** mkdir -p, then 0755 on each directory it created (opened without following a link). */
function createSpoolDir(spoolDir: string): void {
  const target = resolve(spoolDir);
  const first = mkdirSync(target, { recursive: true, mode: 0o755 });
  if (first === undefined) return;
  const created = [target];
  for (let dir = target; dir !== first && dir.startsWith(`${first}${sep}`);) {
    dir = dirname(dir);
    created.unshift(dir);
  }
  for (const dir of created) {
    const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
    try {
      fchmodSync(fd, 0o755);
    } finally {
      closeSync(fd);
    }
  }
}

/** Removes a flag (a link at its path is removed, not followed); false when there was none. */
export function removeSpoolFlag(spoolDir: string, scope: Scope): boolean {
  const path = join(spoolDir, scopeName(scope));
  try {
    unlinkSync(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw spoolError('remove maintenance flag', path, error);
  }
}

function spoolError(what: string, path: string, error: unknown): HealthcheckdError {
  const code = errorCode(error);
  const hint =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? `; run as a user who may write there (sudo) or set spool_dir`
      : code === 'EISDIR'
        ? '; a directory stands at the flag path: remove it'
        : '; set spool_dir to a directory healthcheckd may create and write';
  return new HealthcheckdError(
    'E_SPOOL',
    `cannot ${what} ${path}: ${(error as Error).message}${hint}`,
    [],
    { cause: error },
  );
}
