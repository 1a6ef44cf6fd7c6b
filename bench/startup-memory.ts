// Start-up (exec to the first answered GET) and idle RSS of `healthcheckd run` with a simple
// config, beside a bare `node:http` server started in turns in the same run; medians as JSON.
// Usage: node dist/bench/startup-memory.js [rounds=9] [bin.js=dist/bundle/healthcheckd.mjs ...]; several
// bins (another build's first, for a before/after) are started in turns in each round.
// STARTUP_NODE_FLAGS="--flag ..." replaces the bin's shebang flags (empty: none);
// STARTUP_CONFIG_EXTRA="log_format = json" adds lines to the [healthcheckd] section;
// STARTUP_IDLE_MS (default 1000) is how long each server idles before its RSS is read.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { memory } from './proc.js';
import { median } from './report.js';
import { bareArgs, buildAt, thisBuild, timedStart } from './servers.js';

const rounds = Number(process.argv[2] ?? 9);
const bins = process.argv.length > 3 ? process.argv.slice(3) : [thisBuild.bin];
const idleMs = Number(process.env.STARTUP_IDLE_MS ?? 1_000);

/** The Node flags of the bin's shebang, or STARTUP_NODE_FLAGS. */
function nodeFlags(bin: string): readonly string[] {
  const override = process.env.STARTUP_NODE_FLAGS;
  if (override === undefined) return buildAt(bin).nodeFlags;
  return override.split(' ').filter((flag) => flag.startsWith('--'));
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

/** CPU time of the process's main thread (/proc/PID/schedstat: nanoseconds on a CPU). */
function mainThreadCpuMs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

/** One start: exec → first answered GET, then idle for a while and read VmRSS. */
async function sample(args: readonly string[], stream: 'stdout' | 'stderr'): Promise<Sample> {
  const { server, startMs } = await timedStart(args, stream);
  try {
    const cpuMs = mainThreadCpuMs(server.pid);
    await sleep(idleMs);
    return { startupMs: startMs, cpuMs, rssMiB: memory(server.pid).rss / 1024 };
  } finally {
    await server.stop();
  }
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
  const bare: Sample[] = [];
  const daemons = bins.map(() => [] as Sample[]);
  try {
    for (let round = 0; round < rounds; round += 1) {
      bare.push(await sample(bareArgs(), 'stdout'));
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
