import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The error spawn would give for a program that cannot be found or run, or null when it can.
 * A run started through a wrapper (`sh` entering a cgroup, `nsenter`) checks this first, so
 * a missing program still fails as `spawn X ENOENT` and not as a wrapper's exit 127.
 */
export function programError(file: string, env: NodeJS.ProcessEnv): Error | null {
  const found = findProgram(file, env);
  if (typeof found === 'string') return null;
  return Object.assign(new Error(`spawn ${file} ${found.code}`), { code: found.code, path: file });
}

/** The path execvp would run for `file` with `env`'s PATH, or why there is none. */
export function findProgram(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): string | { readonly code: 'ENOENT' | 'EACCES' } {
  const candidates = file.includes('/')
    ? [file]
    : (env.PATH ?? '/usr/local/bin:/usr/bin:/bin')
        .split(delimiter)
        .map((dir) => join(dir === '' ? '.' : dir, file));
  let code: 'ENOENT' | 'EACCES' = 'ENOENT';
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EACCES') code = 'EACCES';
    }
  }
  return { code };
}
