/**
 * Shared pieces of the end-to-end tests (test/e2e/): finding system programs that live outside
 * PATH (/usr/sbin), starting them in their own process groups, stopping everything in bounded
 * time, and polling with a description of what was last seen.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  eventually,
  startDaemon,
  tempDir,
  type Exit,
  type RunningDaemon,
} from '../support/daemon.js';

/** Directories searched after PATH: Debian puts servers (haproxy, mariadbd) in sbin. */
const systemDirs = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

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
  const dirs = [...(process.env.PATH ?? '').split(':').filter((dir) => dir !== ''), ...systemDirs];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (executable(candidate)) return candidate;
    }
  }
  return null;
}

/** What a test needs: a role, the program names that fill it, the Debian package that ships them. */
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
 * Like the harness's `requireProgram`, but also looks in /usr/sbin and friends (which may not be
 * on the test process's PATH) and accepts alternative names (mariadbd or mysqld). Missing
 * programs skip the tests with the reason; under CI=true they throw, so CI fails instead.
 */
export function requirePrograms<K extends string>(needs: Record<K, Need>): Programs<K> {
  const path = {} as Record<K, string>;
  const missing: string[] = [];
  for (const role of Object.keys(needs) as K[]) {
    const need = needs[role];
    const found = findProgram(...need.names);
    if (found) path[role] = found;
    else missing.push(`${need.names.join(' or ')} (Debian package ${need.debian})`);
  }
  if (missing.length === 0) return { skip: false, path };
  const reason = `not found on PATH nor in ${systemDirs.join(', ')}: ${missing.join('; ')}`;
  if (process.env.CI === 'true') throw new Error(`required under CI=true: ${reason}`);
  return { skip: `${reason}; install it to run these end-to-end tests`, path };
}

/**
 * Every process group (HAProxy, mariadbd, busy children) and daemon still running, killed
 * should this test file end before its after hooks: at exit, and on SIGTERM (the runner's
 * --test-timeout kills a file that way, and the default action would skip 'exit'), SIGINT
 * (Ctrl-C reaches only the foreground group; ours are detached) and SIGHUP.
 */
const liveGroups = new Set<number>();
const livePids = new Set<number>();
const liveDirs = new Set<string>();

function killEverything(): void {
  for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
}

process.once('exit', killEverything);
for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
  ['SIGHUP', 129],
] as const) {
  process.once(signal, () => {
    killEverything();
    process.exit(code);
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with `promise`, or with `fallback` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A system program running in its own process group. */
export interface Spawned {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last 64 KiB of stdout and stderr together, for failure messages. */
  readonly output: () => string;
  readonly exited: Promise<Exit>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the leader is gone. */
  readonly stop: (graceMs?: number) => Promise<void>;
}

const keptOutput = 64 * 1024;

/** Starts `file args` detached (its own process group), stdin closed, output kept in memory. */
export function spawnGroup(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Spawned {
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString()).slice(-keptOutput);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const pid = child.pid ?? -1;
  if (pid > 0) liveGroups.add(pid);
  const exited = new Promise<Exit>((resolve) => {
    child.once('error', (error) => {
      text += `\nspawn ${file} failed: ${error.message}`;
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (pid <= 0) return;
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(pid, 'SIGTERM');
      const done = await within(
        exited.then(() => true),
        graceMs,
        false,
      );
      if (!done) killGroup(pid, 'SIGKILL');
      await within(exited, 5_000, { code: null, signal: null });
    }
    // Whatever the leader left behind in its group goes too.
    killGroup(pid, 'SIGKILL');
    liveGroups.delete(pid);
  };
  return { child, pid, output: () => text, exited, stop };
}

/** The harness's `tempDir`, also removed at exit should the hooks not run. */
export function trackedTempDir(prefix: string): { path: string; cleanup: () => void } {
  const dir = tempDir(prefix);
  liveDirs.add(dir.path);
  return {
    path: dir.path,
    cleanup: () => {
      dir.cleanup();
      liveDirs.delete(dir.path);
    },
  };
}

/** The harness's `startDaemon`, with the daemon killed at exit should the hooks not run. */
export async function startTrackedDaemon(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunningDaemon> {
  const daemon = await startDaemon(args, options);
  livePids.add(daemon.pid);
  void daemon.exited.then(() => livePids.delete(daemon.pid));
  return daemon;
}

/** Stops a daemon: SIGTERM, SIGKILL after `graceMs`. */
export async function stopDaemon(
  daemon: RunningDaemon | undefined,
  graceMs = 5_000,
): Promise<void> {
  if (!daemon) return;
  const exit = await within(daemon.stop(), graceMs, null);
  if (exit === null) {
    daemon.child.kill('SIGKILL');
    await within(daemon.exited, 5_000, null);
  }
  livePids.delete(daemon.pid);
}

/** Cleanup steps run in reverse order, every one of them even when an earlier one throws. */
export class Cleanup {
  readonly #steps: (() => unknown)[] = [];

  add(step: () => unknown): void {
    this.#steps.push(step);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    while (this.#steps.length > 0) {
      const step = this.#steps.pop();
      try {
        await step?.();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'cleanup failed');
  }
}

/**
 * Polls `probe` (through the harness's `eventually`) until `accept` holds for what it returns, for
 * at most `ms`. Returns the accepted value; throws with `what` and the last value seen (or the
 * last error) when time runs out.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  ms: number,
  stepMs = 100,
): Promise<T> {
  let last: { value: T } | { error: unknown } | null = null;
  const started = Date.now();
  const ok = await eventually(
    async () => {
      try {
        const value = await probe();
        last = { value };
        return accept(value);
      } catch (error) {
        last = { error };
        return false;
      }
    },
    ms,
    stepMs,
  );
  const seen = last as { value: T } | { error: unknown } | null;
  if (ok && seen && 'value' in seen) return seen.value;
  const detail =
    seen === null
      ? 'nothing'
      : 'value' in seen
        ? JSON.stringify(seen.value)
        : String((seen.error as Error)?.message ?? seen.error);
  throw new Error(
    `timed out after ${Date.now() - started} ms waiting for ${what}; last seen: ${detail}`,
  );
}
