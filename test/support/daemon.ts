/**
 * The real CLI as a child process: run it to completion, or start a daemon, wait for its
 * startup line and stop it within bounds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { statEveryMs } from '../../src/maintenance/view.js';
import { binPath, repoRoot } from './paths.js';
import { orAfter } from './wait.js';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A CLI process started by a test. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<Exit>;
  /** Resolves when stderr matches, rejects after `ms` or when the process exits first. */
  readonly waitFor: (pattern: RegExp, ms?: number) => Promise<RegExpExecArray>;
}

/** Starts `healthcheckd ...args` as a child process. */
export function startCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliProcess {
  // HEALTHCHECKD_BIN runs the suite against another build of the CLI: the single executable.
  const bin = process.env.HEALTHCHECKD_BIN;
  const [file, argv] = bin ? [bin, [...args]] : [process.execPath, [binPath, ...args]];
  const child = spawn(file, argv, {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (pattern: RegExp, ms = 20_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = pattern.exec(err);
        if (match) {
          cleanup();
          resolve(match);
        }
        return match !== null;
      };
      const onExit = (): void => {
        if (check()) return;
        cleanup();
        reject(new Error(`process exited before ${pattern}; stderr:\n${err}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${ms} ms waiting for ${pattern}; stderr:\n${err}`));
      }, ms);
      const cleanup = (): void => {
        clearTimeout(timer);
        child.stderr.off('data', check);
        child.off('exit', onExit);
      };
      if (check()) return;
      child.stderr.on('data', check);
      child.once('exit', onExit);
    });
  return { child, pid: child.pid ?? -1, stdout: () => out, stderr: () => err, exited, waitFor };
}

/**
 * Runs the CLI to completion (for validate, check, bad configs). After a `down` or `up` that
 * changed the spool, it also waits out the running daemons' look at the spool (at most
 * `statEveryMs` old, README "Maintenance"), so that the next answer shows the change: a
 * CLI that starts fast would otherwise race the daemon's last look.
 */
export async function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
) {
  const cli = startCli(args, options);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const exit = await cli.exited;
  clearTimeout(timer);
  if ((args[0] === 'down' || args[0] === 'up') && exit.code === 0) await sleep(statEveryMs * 1.5);
  return { ...exit, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** A running daemon and the port it answers on. */
export interface RunningDaemon extends CliProcess {
  readonly port: number;
  /** Sends SIGTERM and waits for the exit. */
  readonly stop: () => Promise<Exit>;
}

/** Starts a daemon (pass `--port 0` to get a free port) and waits for its startup line. */
export async function startDaemon(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunningDaemon> {
  const cli = startCli(args, options);
  try {
    const match = await cli.waitFor(/listening on http:\/\/[^\s"]*:(\d+)/);
    const stop = async (): Promise<Exit> => {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGTERM');
      return cli.exited;
    };
    return { ...cli, port: Number(match[1]), stop };
  } catch (error) {
    cli.child.kill('SIGKILL');
    throw error;
  }
}

/** Stops a daemon: SIGTERM, then SIGKILL when it has not exited after `graceMs`. */
export async function stopDaemon(
  daemon: RunningDaemon | undefined,
  graceMs = 10_000,
): Promise<Exit | null> {
  if (daemon === undefined) return null;
  const exit = await orAfter(daemon.stop(), graceMs, null);
  if (exit !== null) return exit;
  daemon.child.kill('SIGKILL');
  return orAfter(daemon.exited, 5_000, null);
}

/**
 * Writes `<dir>/<name>.config` for a daemon on a free port of 127.0.0.1, its pidfile and its
 * spool in `dir`; `body` follows the [healthcheckd] lines (more of its keys, then sections).
 * Returns the path.
 */
export function daemonConfig(dir: string, name: string, body: string): string {
  const path = join(dir, `${name}.config`);
  const head = [
    '[healthcheckd]',
    'port = 0',
    'bind = 127.0.0.1',
    `piddir = ${dir}`,
    `pidfile = ${name}.pid`,
    // A body that names its own spool keeps it.
    ...(/^spool_dir\s*=/m.test(body) ? [] : [`spool_dir = ${join(dir, 'spool')}`]),
  ];
  writeFileSync(path, `${head.join('\n')}\n${body}`);
  return path;
}

// Kept for tests written before the helpers moved to modules named by what they hold.
/** @deprecated import from ./paths.js */
export { binPath, fixtures, repoRoot, tempDir, writeConfig } from './paths.js';
/** @deprecated import from ./http-client.js */
export { httpRequest, type HttpReply } from './http-client.js';
/** @deprecated import from ./wait.js */
export { eventually } from './wait.js';
/** @deprecated import from ./processes.js */
export { alive } from './processes.js';
/** @deprecated import from ./programs.js */
export { requireProgram } from './programs.js';
/** @deprecated import from ./listen.js */
export { freePort } from './listen.js';
/** @deprecated import from ./agent-client.js */
export { agentRead } from './agent-client.js';
