import { spawn } from 'node:child_process';

/**
 * What the shell does to the environment of a program it runs from `shell -c 'program'`:
 * bash, for one, sets `_` to the program's path, sets `PWD` and `SHLVL` and drops `OLDPWD`;
 * dash sets `PWD`. Learnt once by asking the shell, so a program run without it gets the same.
 */
export interface ShellEnvEffect {
  readonly set: ReadonlyMap<string, string>;
  readonly unset: readonly string[];
  /** The variable the shell sets to the path of the program it runs (`_` for bash), if any. */
  readonly programPath: string | null;
}

const probeTimeoutMs = 5_000;
const maxOutput = 1 << 20;

/** The environment as a program receives it: what spawn passes of `env`. */
function received(env: NodeJS.ProcessEnv): Map<string, string> {
  return new Map(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** Reads `env -0` output: NUL-terminated `name=value` entries. */
function parseEnvOutput(output: string): Map<string, string> {
  const entries = output.split('\0').filter((entry) => entry !== '');
  return new Map(
    entries.map((entry) => {
      const at = entry.indexOf('=');
      return [entry.slice(0, at), entry.slice(at + 1)] as const;
    }),
  );
}

/** The difference between the environment given to the shell and the one its program saw. */
export function envEffect(
  given: NodeJS.ProcessEnv,
  seen: ReadonlyMap<string, string>,
  programFile: string,
): ShellEnvEffect {
  const before = received(given);
  const set = new Map<string, string>();
  let programPath: string | null = null;
  for (const [name, value] of seen) {
    if (value === programFile && before.get(name) !== value) programPath = name;
    else if (before.get(name) !== value) set.set(name, value);
  }
  const unset = [...before.keys()].filter((name) => !seen.has(name));
  return { set, unset, programPath };
}

/**
 * Runs `env -0` through `shell` with `env` and learns what the shell changed; null when the
 * shell said anything on stderr (xtrace, a startup file), failed, or took too long: then
 * commands keep going through the shell. `envFile` is where `env` is found on PATH. Stdin is
 * closed as for a check: bash reads ~/.bashrc when its stdin is a socket (it takes it for sshd).
 */
export function probeShellEnv(
  shell: string,
  env: NodeJS.ProcessEnv,
  envFile: string,
): Promise<ShellEnvEffect | null> {
  return new Promise((resolve) => {
    const child = spawn(shell, ['-c', 'env -0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let size = 0;
    let clean = true;
    const timer = setTimeout(() => child.kill('SIGKILL'), probeTimeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxOutput) out.push(chunk);
      else clean = false;
    });
    child.stderr.on('data', () => (clean = false));
    child.once('error', () => (clean = false));
    child.once('close', (code) => {
      clearTimeout(timer);
      if (!clean || code !== 0) return resolve(null);
      resolve(envEffect(env, parseEnvOutput(Buffer.concat(out).toString()), envFile));
    });
  });
}

/** `env` with the shell's effect applied, for a program at `programFile`. */
export function applyEffect(
  env: NodeJS.ProcessEnv,
  effect: ShellEnvEffect,
  programFile: string,
): NodeJS.ProcessEnv {
  const next: NodeJS.ProcessEnv = { ...env };
  for (const name of effect.unset) delete next[name];
  for (const [name, value] of effect.set) next[name] = value;
  if (effect.programPath !== null) next[effect.programPath] = programFile;
  return next;
}
