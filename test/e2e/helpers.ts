/**
 * What the end-to-end tests (test/e2e/) add to test/support/: system programs started in their
 * own process groups, and everything they start (groups, daemons, temp dirs) killed or removed
 * should a test file end before its after hooks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import {
  startDaemon,
  stopDaemon as stopBounded,
  type Exit,
  type RunningDaemon,
} from '../support/daemon.js';
import { tempDir } from '../support/paths.js';
import { orAfter } from '../support/wait.js';

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
      const done = await orAfter(
        exited.then(() => true),
        graceMs,
        false,
      );
      if (!done) killGroup(pid, 'SIGKILL');
      await orAfter(exited, 5_000, { code: null, signal: null });
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

/** Stops a daemon (SIGTERM, SIGKILL after `graceMs`) and stops tracking it. */
export async function stopDaemon(
  daemon: RunningDaemon | undefined,
  graceMs = 10_000,
): Promise<void> {
  if (!daemon) return;
  await stopBounded(daemon, graceMs);
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
