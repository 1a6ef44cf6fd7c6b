import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binPath } from './paths.js';

export { binPath };

/** A temporary directory, removed by `cleanup`. */
export function scratchDir(prefix = 'hcd-exec-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A CLI child started by a test, its output collected. */
export interface CliChild {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `healthcheckd ...args` with exactly `env` (the test's environment by default). */
export function startCliChild(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; argv?: readonly string[] } = {},
): CliChild {
  const child = spawn(process.execPath, [...(options.argv ?? []), binPath, ...args], {
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs the CLI to its end; SIGKILLed after `timeoutMs`. */
export async function runCliChild(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = startCliChild(args, options);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  const { code } = await cli.exited;
  clearTimeout(timer);
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Polls `condition` every `stepMs` until it holds or `ms` pass; its last answer. */
export async function pollUntil(
  condition: () => boolean | Promise<boolean>,
  ms = 5_000,
  stepMs = 25,
): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return condition();
}

/** For `{ skip }` on a test that needs root: CI runs as root, so under CI=true it must not skip. */
export function rootSkip(): string | false {
  if (process.getuid?.() === 0) return false;
  if (process.env.CI === 'true') return false;
  return 'needs root (user = only applies to a daemon started as root); CI runs it as root';
}

/** Fails a root test that runs without root under CI=true (rootSkip let it through). */
export function assertRootUnderCi(): void {
  if (process.getuid?.() !== 0) throw new Error('CI=true: this test must run as root');
}
