import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SpoolReading } from '../../src/maintenance/spool.js';

/** A compiled module of src/maintenance, as a child process imports it. */
export function maintenanceModule(file: string): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'maintenance', file);
}

/** The compiled spool reader. */
export const spoolModule = maintenanceModule('spool.js');

const nobody = 65534;

/**
 * How to run a program as a user that permission bits bind: nothing to add when this process
 * is not root; `setpriv` to nobody when it is. A string is the reason it cannot be done here (for
 * `{ skip }`); under CI=true that is an error instead.
 */
export function unprivileged(): readonly string[] | string {
  if (process.getuid?.() !== 0) return [];
  const prefix = ['setpriv', `--reuid=${nobody}`, `--regid=${nobody}`, '--clear-groups', '--'];
  const probe = spawnSync(prefix[0] ?? '', [...prefix.slice(1), 'test', '-r', spoolModule]);
  if (probe.status === 0) return prefix;
  const reason =
    probe.error === undefined
      ? `nobody cannot read ${spoolModule}`
      : 'setpriv is missing (util-linux)';
  if (process.env.CI === 'true') throw new Error(`required under CI=true: ${reason}`);
  return `cannot run as an unprivileged user: ${reason}`;
}

/** For `{ skip }`: false when `unprivileged()` has a way, else its reason. */
export function unprivilegedSkip(): string | false {
  const how = unprivileged();
  return typeof how === 'string' ? how : false;
}

/** A temporary directory that an unprivileged user may enter. */
export function openTempDir(prefix = 'hcd-spool-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(path, 0o755);
  return {
    path,
    cleanup: () => {
      openUp(path);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** chmod -R u+rwx on the directories below `dir`, so that a test's locked ones can go. */
function openUp(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) openUp(join(dir, entry.name));
  }
}

const readerScript = `
const [url, dir] = process.argv.slice(1);
const { readSpoolFlags } = await import(url);
process.stdout.write(JSON.stringify(readSpoolFlags(dir)));
`;

/**
 * Reads the spool in a child process (as `prefix` says: e.g. as nobody), so that a read that
 * blocks is seen as a timeout instead of freezing the test. Throws when it does not finish
 * within `timeoutMs`.
 */
export function readInChild(
  spoolDir: string,
  prefix: readonly string[] = [],
  timeoutMs = 10_000,
): SpoolReading {
  const argv = [
    ...prefix,
    process.execPath,
    '--input-type=module',
    '-e',
    readerScript,
    pathToFileURL(spoolModule).href,
    spoolDir,
  ];
  const child = spawnSync(argv[0] ?? '', argv.slice(1), {
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    encoding: 'utf8',
  });
  if (child.signal === 'SIGKILL')
    throw new Error(`reading ${spoolDir} blocked for ${timeoutMs} ms`);
  if (child.status !== 0) throw new Error(`the reader failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout) as SpoolReading;
}
