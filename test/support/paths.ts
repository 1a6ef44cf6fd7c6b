import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs as dist/test/support/paths.js). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The CLI as `npm install` builds and installs it: the bundle (packaging/build-bundle.mjs). */
export const binPath = join(repoRoot, 'dist', 'bundle', 'healthcheckd.mjs');
/** test/fixtures in the source tree: tiny scripts (sleep forever, exit N, spawn a grandchild). */
export const fixtures = join(repoRoot, 'test', 'fixtures');
/** The shipped example configs and scripts. */
export const examples = join(repoRoot, 'examples');

/** A temporary directory and the function that removes it. */
export function tempDir(prefix = 'hcd-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Writes a config file into `dir` and returns its path. */
export function writeConfig(dir: string, text: string, name = 'test.config'): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
