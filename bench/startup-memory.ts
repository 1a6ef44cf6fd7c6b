// Start-up (exec to the first answered GET) and idle RSS of `healthcheckd run` with a simple
// config, beside a bare `node:http` server started in turns in the same run; medians as JSON.
// Usage: node dist/bench/startup-memory.js [rounds=9] [bin.js=dist/src/bin.js ...]; several
// bins (another build's first, for a before/after) are started in turns in each round.
// STARTUP_NODE_FLAGS="--flag ..." replaces the bin's shebang flags (empty: none);
// STARTUP_CONFIG_EXTRA="log_format = json" adds lines to the [healthcheckd] section;
// STARTUP_IDLE_MS (default 1000) is how long each server idles before its RSS is read.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.argv[2] ?? 9);
const bins = (
  process.argv.length > 3 ? process.argv.slice(3) : [join(here, '..', 'src', 'bin.js')]
).map((bin) => resolve(bin));
const idleMs = Number(process.env.STARTUP_IDLE_MS ?? 1_000);

/** The Node flags of the bin's shebang (`#!/usr/bin/env -S node ...`), or the override. */
function nodeFlags(bin: string): string[] {
  const override = process.env.STARTUP_NODE_FLAGS;
  const line =
    override ?? (readFileSync(bin, 'utf8').split('\n')[0] ?? '').replace(/^#!\S*env -S node/, '');
  return line.split(' ').filter((flag) => flag.startsWith('--'));
}

/** A config as an operator would write one: a port, a pidfile, the spool, one command. */
function writeConfig(work: string): string {
  const config = join(work, 'startup.config');
  const extra = process.env.STARTUP_CONFIG_EXTRA ?? '';
  writeFileSync(
    config,
    `[healthcheckd]\nport = 0\nbind = 127.0.0.1\npiddir = ${work}\nspool_dir = ${work}/spool\n` +
      `log_level = info\ncommand = true\n${extra}\n`,
  );
  return config;
}

interface Sample {
  readonly startupMs: number;
  /** CPU time of the main thread until the first answer: steadier than wall time on a busy host. */
  readonly cpuMs: number;
  readonly rssMiB: number;
}

/** Starts `args`, waits for "listening on http://..." on `stream`; resolves with the URL. */
function listening(child: ChildProcess, stream: 'stdout' | 'stderr'): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const match = /listening on (http:\/\/[^\s"]+)/.exec(text);
      if (!match?.[1]) return;
      child[stream]?.off('data', onData);
      resolve(match[1].replace('0.0.0.0', '127.0.0.1'));
    };
    child[stream]?.on('data', onData);
    child.stdout?.resume();
    child.stderr?.resume();
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${text}`)));
  });
}

function get(url: string): Promise<void> {
  return new Promise((resolve, reject) =>
    request(url, (res) => {
      res.resume();
      res.on('end', resolve);
    })
      .on('error', reject)
      .end(),
  );
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/** CPU time of the process's main thread (/proc/PID/schedstat: nanoseconds on a CPU). */
function mainThreadCpuMs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** One start: exec → first answered GET, then idle for a second and read VmRSS. */
async function sample(args: readonly string[], stream: 'stdout' | 'stderr'): Promise<Sample> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await get(await listening(child, stream));
    const startupMs = performance.now() - started;
    const cpuMs = mainThreadCpuMs(child.pid ?? -1);
    await sleep(idleMs);
    return { startupMs, cpuMs, rssMiB: rssMiB(child.pid ?? -1) };
  } finally {
    await stop(child);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const round2 = (n: number): number => Math.round(n * 100) / 100;

function summary(samples: readonly Sample[]): Sample {
  return {
    startupMs: round1(median(samples.map((s) => s.startupMs))),
    cpuMs: round1(median(samples.map((s) => s.cpuMs))),
    rssMiB: round1(median(samples.map((s) => s.rssMiB))),
  };
}

/** One daemon's medians beside the bare server's, as ratios. */
function compared(bin: string, samples: readonly Sample[], bare: Sample) {
  const d = summary(samples);
  const ratios = {
    startup: round2(d.startupMs / bare.startupMs),
    cpu: round2(d.cpuMs / bare.cpuMs),
    rss: round2(d.rssMiB / bare.rssMiB),
  };
  return { bin, nodeFlags: nodeFlags(bin), ...d, ratios };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'hcd-startup-'));
  const config = writeConfig(work);
  const bareArgs = [join(here, 'bare-server.js')];
  const bare: Sample[] = [];
  const daemons = bins.map(() => [] as Sample[]);
  try {
    for (let round = 0; round < rounds; round += 1) {
      bare.push(await sample(bareArgs, 'stdout'));
      for (const [i, bin] of bins.entries())
        daemons[i]?.push(await sample([...nodeFlags(bin), bin, 'run', config], 'stderr'));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const b = summary(bare);
  const result = {
    node: process.version,
    rounds,
    idleMs,
    targets: { startup: 2, rss: 1.15 },
    bare: b,
    daemons: bins.map((bin, i) => compared(bin, daemons[i] ?? [], b)),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

void main();
