import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startSpawnHelper, type SpawnHelper } from '../../src/checks/spawn-helper.js';
import { repoRoot } from './paths.js';
import { eventually } from './wait.js';

/** Where `npm run build` puts the spawn helper when the host has a C compiler. */
export const builtHelper = join(repoRoot, 'dist', 'native', 'healthcheckd-spawn-helper');

/**
 * Why tests of the spawn helper cannot run here, or null when they can. Under CI=true the
 * helper must have been built (.ci/run installs a C compiler): its absence throws.
 */
export function helperSkipReason(): string | null {
  if (existsSync(builtHelper)) return null;
  if (process.env.CI === 'true') throw new Error(`CI=true: ${builtHelper} was not built`);
  return `no spawn helper at ${builtHelper}: npm run build found no C compiler (cc)`;
}

/** Starts the built helper and resolves once it said it is ready. */
export async function readyHelper(): Promise<SpawnHelper> {
  const helper = startSpawnHelper(builtHelper);
  if (!(await eventually(() => helper.ready(), 10_000))) {
    helper.close();
    throw new Error(`${builtHelper} did not say it was ready within 10 s`);
  }
  return helper;
}
