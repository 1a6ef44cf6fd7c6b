// The servers the bench measures, each its own process: the daemon (this build's, or the one
// BENCH_BIN names, run with its shebang's Node flags), the bare `node:http` server and the
// naive per-request spawner.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** A build of the daemon: its entry point and the Node flags of its shebang. */
export interface Build {
  readonly bin: string;
  readonly nodeFlags: readonly string[];
}

/** The build whose entry point is `bin` (a dist/bundle/healthcheckd.mjs), run as it ships. */
export function buildAt(bin: string): Build {
  const path = resolve(bin);
  // The shebang is `#!/usr/bin/env -S node <flags>`.
  const nodeFlags = (readFileSync(path, 'utf8').split('\n')[0] ?? '')
    .replace(/^#!\S*env -S node\s*/, '')
    .split(' ')
    .filter((flag) => flag.startsWith('--'));
  return { bin: path, nodeFlags };
}

/** The build measured: BENCH_BIN (another build's entry point), or this one's bundle. */
export const thisBuild = buildAt(
  process.env.BENCH_BIN ?? join(here, '..', 'bundle', 'healthcheckd.mjs'),
);

/** A server process that said where it listens. */
export interface Server {
  readonly pid: number;
  readonly url: string;
  readonly stop: () => Promise<void>;
}

/** Starts `node args` and resolves once it prints `listening on http://...` on `stream`. */
export function start(args: readonly string[], stream: 'stdout' | 'stderr'): Promise<Server> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const match = /listening on (http:\/\/[^\s"]+)/.exec(text);
      if (!match?.[1]) return;
      child[stream].off('data', onData);
      child[stream].resume();
      const url = match[1].replace('0.0.0.0', '127.0.0.1');
      resolve({ pid: child.pid ?? -1, url, stop: () => stop(child) });
    };
    child[stream].on('data', onData);
    child.stdout.resume();
    child.stderr.resume();
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${text}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The daemon's arguments for a config of `checks` (INI text) written in `work`. */
export function daemonArgs(build: Build, work: string, name: string, checks: string): string[] {
  const config = join(work, `${name}.config`);
  writeFileSync(
    config,
    `[healthcheckd]\nport = 0\nbind = 127.0.0.1\npiddir = ${work}\npidfile = ${name}.pid\nspool_dir = ${work}/spool\nlog_level = info\nlog_format = json\n${checks}`,
  );
  return [...build.nodeFlags, build.bin, 'run', config];
}

export const daemon = (build: Build, work: string, name: string, checks: string): Promise<Server> =>
  start(daemonArgs(build, work, name, checks), 'stderr');

export const bareArgs = (): string[] => [join(here, 'bare-server.js')];
export const bare = (): Promise<Server> => start(bareArgs(), 'stdout');

/** The naive spawner running `argv` per request (target 3's baseline). */
export const naive = (argv: readonly string[]): Promise<Server> =>
  start([join(here, 'naive-spawner.js'), ...argv], 'stdout');

/** One GET; resolves with the body. */
export function get(url: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

/** Milliseconds from exec to the first answered probe; the server is left running. */
export async function timedStart(
  args: readonly string[],
  stream: 'stdout' | 'stderr',
): Promise<{ server: Server; startMs: number }> {
  const started = performance.now();
  const server = await start(args, stream);
  await get(server.url);
  return { server, startMs: performance.now() - started };
}
