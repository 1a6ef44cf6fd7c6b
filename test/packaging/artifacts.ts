import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/daemon.js';

/** The package's version, as the artifacts must carry it. */
export const version = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }
).version;

/** `npm run build:sea` output. */
export const executable = join(repoRoot, 'build', 'sea', `healthcheckd-linux-${process.arch}`);

/** The spawn helper `npm run build:sea` puts beside the executable, where it looks first. */
export const seaHelper = join(repoRoot, 'build', 'sea', 'healthcheckd-spawn-helper');

/** `npm run package:deb` output. */
export const debianPackage = join(
  repoRoot,
  'build',
  'deb',
  `healthcheckd_${version}_${process.arch === 'x64' ? 'amd64' : process.arch}.deb`,
);

/**
 * For `{ skip }`: false when the artifact was built (and, with `root`, the test runs as root),
 * else why the test skips. Under CI=true (`.ci/run` builds every artifact first, as root) a
 * missing one fails instead.
 */
export function requireArtifact(path: string, how: string, root = false): string | false {
  let reason: string | null = null;
  if (!existsSync(path)) reason = `${path} is not built; run \`${how}\` first`;
  else if (root && process.getuid?.() !== 0) reason = 'needs root (dpkg -i, a system user)';
  if (reason === null) return false;
  if (process.env.CI === 'true') throw new Error(`under CI=true: ${reason}`);
  return reason;
}

/**
 * A PATH holding only the programs a check or a test needs, and no `node`: the host the single
 * executable is for. Returns the directory and its cleanup.
 */
export function pathWithoutNode(programs: readonly string[]): {
  readonly path: string;
  readonly cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'hcd-nonode-'));
  for (const program of programs) {
    const found = ['/usr/bin', '/bin', '/usr/sbin', '/sbin']
      .map((base) => join(base, program))
      .find((candidate) => existsSync(candidate));
    if (found) symlinkSync(found, join(dir, program));
  }
  return { path: dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `npm pack --pack-destination build/npm` output. */
export const npmTarball = join(repoRoot, 'build', 'npm', `healthcheckd-${version}.tgz`);
