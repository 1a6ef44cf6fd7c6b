/**
 * System programs a test needs (curl, haproxy, mariadbd, chromium): where they are, and the
 * `{ skip }` reason when they are missing. Under CI=true a required program that is missing
 * fails the test instead of skipping it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Directories searched after PATH: Debian puts servers (haproxy, mariadbd) in sbin. */
export const systemDirs = [
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/bin',
  '/sbin',
  '/bin',
];

function pathDirs(): string[] {
  return (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first of `names` found on PATH or in the system directories, as an absolute path. */
export function findProgram(...names: readonly string[]): string | null {
  const dirs = [...pathDirs(), ...systemDirs];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (executable(candidate)) return candidate;
    }
  }
  return null;
}

/** `reason` as the skip reason; under CI=true a throw instead, unless what is missing is optional. */
function missing(reason: string, optional = false): string {
  if (process.env.CI === 'true' && !optional) throw new Error(`required under CI=true: ${reason}`);
  return reason;
}

/**
 * For `{ skip }`: false when `name` is on PATH (the test runs it by name), else the reason to
 * skip. `optional`: skip even under CI=true (a tool the project does not require).
 */
export function requireProgram(name: string, options: { optional?: boolean } = {}): string | false {
  if (pathDirs().some((dir) => executable(join(dir, name)))) return false;
  return missing(`${name} not found on PATH; install it to run this test`, options.optional);
}

/** For `{ skip }`: false when the file exists (a browser binary, say), else the reason to skip. */
export function requireFile(path: string, hint: string): string | false {
  return existsSync(path) ? false : missing(`${path} not found; ${hint}`);
}

/** What a test needs: the program names that fill a role, the Debian package that ships them. */
export interface Need {
  readonly names: readonly string[];
  readonly debian: string;
}

export interface Programs<K extends string> {
  /** For `{ skip }`: false when everything was found, else why the tests skip. */
  readonly skip: string | false;
  /** Absolute paths by role; only meaningful when `skip` is false. */
  readonly path: Record<K, string>;
}

/**
 * Like `requireProgram`, but also looks in /usr/sbin and friends (which may not be on the test
 * process's PATH), accepts alternative names (mariadbd or mysqld), and gives absolute paths.
 */
export function requirePrograms<K extends string>(needs: Record<K, Need>): Programs<K> {
  const path = {} as Record<K, string>;
  const absent: string[] = [];
  for (const role of Object.keys(needs) as K[]) {
    const need = needs[role];
    const found = findProgram(...need.names);
    if (found) path[role] = found;
    else absent.push(`${need.names.join(' or ')} (Debian package ${need.debian})`);
  }
  if (absent.length === 0) return { skip: false, path };
  const reason = `not found on PATH nor in ${systemDirs.join(', ')}: ${absent.join('; ')}`;
  return { skip: missing(`${reason}; install it to run these tests`), path };
}

/**
 * The status code curl (a real client from another process) gets for `url`, `'000'` when it
 * gets none; `extra` goes before the URL (`--http1.1 -H Host:` to send no Host). 10 s at most.
 */
export async function curlStatus(url: string, extra: readonly string[] = []): Promise<string> {
  const { stdout } = await promisify(execFile)('curl', [
    '-sS',
    ...extra,
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '--max-time',
    '10',
    url,
  ]);
  return stdout;
}
