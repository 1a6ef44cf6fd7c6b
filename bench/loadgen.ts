// The load generator of the bench, always a separate process: wrk when it is installed (a C
// program: a Node load generator competes with the daemon for the same cores), autocannon
// (bench/load.ts) otherwise, and always autocannon for what wrk cannot do (a fixed rate, a
// fixed number of requests).
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** What one load run measured; latencies in milliseconds. */
export interface Load {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

/** How long, how many, how fast: `duration` in seconds; `overallRate` in requests a second. */
export interface LoadShape {
  readonly duration?: number;
  readonly amount?: number;
  readonly overallRate?: number;
}

/** The path of wrk, or null when it is not installed. */
export const wrk: string | null = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
})();

/** Runs a program and resolves with its stdout; rejects when it exits non-zero. */
export function output(file: string, args: readonly string[]): Promise<string> {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${file} ${args.join(' ')} exited ${code}`)),
    ),
  );
}

/** `connections` keep-alive connections on `url` for `shape.duration` s (or as shaped). */
export async function load(url: string, connections: number, shape: LoadShape): Promise<Load> {
  if (process.env.BENCH_DEBUG)
    process.stderr.write(`load ${url} x${connections} ${JSON.stringify(shape)}\n`);
  if (wrk && shape.amount === undefined && shape.overallRate === undefined) {
    const args = [
      '-t1',
      `-c${connections}`,
      `-d${shape.duration ?? 4}s`,
      '--latency',
      '--timeout',
      '10s',
      url,
    ];
    return parseWrk(await output(wrk, args));
  }
  const options = { url, connections, ...shape };
  return JSON.parse(
    await output(process.execPath, [join(here, 'load.js'), JSON.stringify(options)]),
  ) as Load;
}

const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** Milliseconds from wrk's `123.45us` / `1.20ms` / `2.00s`. */
function millis(text: string | undefined): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? '');
  return match ? Number(match[1]) * (units[match[2] ?? ''] ?? NaN) : NaN;
}

/** Reads wrk's report (with --latency); throws when it is not one. */
export function parseWrk(text: string): Load {
  const number = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? 0);
  const requests = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(text);
  if (!requests) throw new Error(`not a wrk report:\n${text}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: Number(requests[1]),
    rps: number(/Requests\/sec:\s+([\d.]+)/),
    p50: millis(/^\s+50%\s+(\S+)/m.exec(text)?.[1]),
    p99: millis(/^\s+99%\s+(\S+)/m.exec(text)?.[1]),
    errors: socket ? Number(socket[1]) + Number(socket[2]) + Number(socket[3]) : 0,
    timeouts: socket ? Number(socket[4]) : 0,
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
  };
}

/** The tool that produced the throughput figures, for the report. */
export const loadTool = wrk ? `wrk (${wrk}), one thread` : 'autocannon';
