import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { HealthcheckdError } from '../errors.js';
import {
  parseFlag,
  scopeFile,
  scopeOf,
  serializeFlag,
  type MaintenanceFlag,
  type Scope,
} from './flag.js';

/** A flag found in the spool, with its scope. */
export interface SpoolEntry {
  readonly scope: Scope;
  readonly flag: MaintenanceFlag;
}

/** Every readable flag in the spool (expired ones included); none when the spool does not exist. */
export function readSpool(spoolDir: string): SpoolEntry[] {
  let files: string[];
  try {
    files = readdirSync(spoolDir);
  } catch {
    return [];
  }
  const entries: SpoolEntry[] = [];
  for (const file of files) {
    const scope = scopeOf(file);
    if (scope) entries.push({ scope, flag: readFlag(join(spoolDir, file)) });
  }
  return entries;
}

/**
 * A flag file that cannot be read as healthcheckd's JSON (an empty `touch`, hacheck's plain
 * reason) still means maintenance: an operator who made it expects the host drained.
 */
function readFlag(path: string): MaintenanceFlag {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return unreadable(path, (error as Error).message);
  }
  return parseFlag(text) ?? unreadable(path, text.trim().slice(0, 200));
}

function unreadable(path: string, found: string): MaintenanceFlag {
  const reason = found === '' ? `flag ${path} (not healthcheckd JSON)` : found;
  let since = Date.now();
  try {
    since = statSync(path).mtimeMs;
  } catch {
    // gone already: the next read will not list it
  }
  return { reason, since, until: null, by: 'unknown' };
}

/** Sets a flag atomically, creating the spool directory when needed. */
export function writeSpoolFlag(spoolDir: string, scope: Scope, flag: MaintenanceFlag): string {
  const path = join(spoolDir, scopeFile(scope));
  try {
    mkdirSync(spoolDir, { recursive: true, mode: 0o755 });
    writeFileAtomic(path, serializeFlag(flag));
  } catch (error) {
    throw spoolError('write maintenance flag', path, error);
  }
  return path;
}

/** Removes a flag; false when there was none. */
export function removeSpoolFlag(spoolDir: string, scope: Scope): boolean {
  const path = join(spoolDir, scopeFile(scope));
  try {
    unlinkSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw spoolError('remove maintenance flag', path, error);
  }
}

/** The spool directory's change time, to notice new or removed flags cheaply; -1 when absent. */
export function spoolVersion(spoolDir: string): bigint {
  try {
    return statSync(spoolDir, { bigint: true }).mtimeNs;
  } catch {
    return -1n;
  }
}

function spoolError(what: string, path: string, error: unknown): HealthcheckdError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const hint =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? `; run as a user who may write there (sudo) or set spool_dir`
      : '; set spool_dir to a directory healthcheckd may create and write';
  return new HealthcheckdError(
    'E_SPOOL',
    `cannot ${what} ${path}: ${(error as Error).message}${hint}`,
  );
}
