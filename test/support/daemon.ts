import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled CLI, as `npm install` builds it. */
export const binPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'bin.js');
/** The repository root (for examples/ and fixtures). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fixtures = join(repoRoot, 'test', 'fixtures');

/** A temporary directory removed by `cleanup`. */
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
  const waitFor = (pattern: RegExp, ms = 10_000): Promise<RegExpExecArray> =>
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

/** Runs the CLI to completion (for validate, check, bad configs). */
export async function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
) {
  const cli = startCli(args, options);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  const exit = await cli.exited;
  clearTimeout(timer);
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

export interface HttpReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTP request over a fresh connection. */
export function httpRequest(
  port: number,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
  } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers ?? {},
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.setTimeout(options.timeoutMs ?? 15_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Polls `fn` until it returns true or `ms` pass. */
export async function eventually(
  fn: () => boolean | Promise<boolean>,
  ms = 5_000,
  stepMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await fn()) return true;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return fn();
}

/** True when a process with this PID exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? '')
    .split(':')
    .some((dir) => dir !== '' && existsSync(join(dir, name)));
}

/**
 * For `{ skip }`: false when a system program is on PATH, else the reason to skip. Under
 * CI=true a missing program fails the test instead of skipping it.
 */
export function requireProgram(name: string): string | false {
  if (onPath(name)) return false;
  if (process.env.CI === 'true')
    throw new Error(`${name} is required under CI=true but was not found on PATH`);
  return `${name} not found on PATH; install it to run this test`;
}

/** A port that was free a moment ago (for tests that must name a port in a config). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Connects to a HAProxy agent-check port and reads everything until the daemon closes. */
export function agentRead(port: number, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`the agent did not answer in ${timeoutMs} ms`)),
    );
  });
}
