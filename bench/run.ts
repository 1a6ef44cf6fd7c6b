// `npm run bench`: every performance target (docs/performance.md) measured beside its baseline
// in the same run, load from separate processes on loopback (wrk when installed), medians of
// several rounds; prints a table and writes bench/RESULTS.md (or BENCH_OUT).
//
// BENCH_BIN=<another build's entry point> measures that build instead of this one, with
// the same bench. BENCH_BEFORE=<another build's bin.js> measures it too, round by round in
// turn with this one, each against its own baselines, and adds a before/after table.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { load, loadTool } from './loadgen.js';
import { cpuMs, memory } from './proc.js';
import { compare, fmt, median, rows, table } from './report.js';
import {
  bare,
  bareArgs,
  buildAt,
  daemon as startDaemon,
  daemonArgs,
  get,
  naive,
  thisBuild,
  timedStart,
  type Build,
  type Server,
} from './servers.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const only = process.env.BENCH_ONLY?.split(',') ?? null;
const sleepStormSeconds = Math.max(seconds, 12);
const warmUpSeconds = 2;
const work = mkdtempSync(join(tmpdir(), 'hcd-bench-'));
const before = process.env.BENCH_BEFORE ? buildAt(process.env.BENCH_BEFORE) : null;
/** The build the scenarios of the current round start. */
let build: Build = thisBuild;
const daemon = (name: string, checks: string): Promise<Server> =>
  startDaemon(build, work, name, checks);

const side = '[check:side]\ncommand = true\ninterval = 1s\n';
const runsPattern = /healthcheckd_check_runs_total\{check="main",result="pass"\} (\d+)/;
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Requests a second on one connection, and CPU ms per request of the server and its children. */
async function sequential(server: Server, path = ''): Promise<{ rps: number; cpu: number }> {
  const before = cpuMs(server.pid);
  const result = await load(`${server.url}${path}`, 1, { duration: seconds });
  return { rps: result.rps, cpu: (cpuMs(server.pid) - before) / result.requests };
}

/**
 * A load whose figures are dropped, so that each server is measured warm: a server's first
 * second of load runs code V8 has not optimized yet, and the more code a server runs, the
 * longer that lasts. The targets are about a daemon that has been up for a while.
 */
async function warmUp(url: string): Promise<void> {
  await load(url, 100, { duration: warmUpSeconds });
}

/**
 * Target 1: the bare server and the daemon answering from background and from cache, all three
 * up at once and loaded in turn, twice each per connection count (the second time in the
 * reverse order), so that each ratio compares loads taken seconds apart: a shared host's speed
 * drifts, by a third within a minute at times.
 */
async function answers(r: Record<string, number>): Promise<void> {
  const servers: Record<'bare' | 'bg' | 'cached', Server> = {
    bare: await bare(),
    bg: await daemon('background', '[check:main]\ncommand = true\ninterval = 1s\n'),
    cached: await daemon('cached', '[check:main]\ncommand = true\ncache_pass = 1h\n'),
  };
  const order = ['bare', 'bg', 'cached'] as const;
  const url = (name: (typeof order)[number]): string =>
    name === 'bare' ? servers.bare.url : `${servers[name].url}/check/main`;
  try {
    for (const name of order) await warmUp(url(name));
    for (const connections of [1, 100]) {
      const taken: Record<string, number[]> = { bare: [], bg: [], cached: [] };
      for (const turn of [order, [...order].reverse()]) {
        for (const name of turn) {
          taken[name]?.push((await load(url(name), connections, { duration: seconds })).rps);
        }
      }
      for (const [name, values] of Object.entries(taken))
        r[`${name}${connections}`] = median(values);
    }
  } finally {
    for (const server of Object.values(servers)) await server.stop();
  }
}

/**
 * Target 2: the storm on `true` (with a side probe of another check) and the bare server at 100
 * connections, both up at once and loaded in turn, storm-bare-bare-storm, so that the ratio
 * compares loads seconds apart (as target 1's do).
 */
async function stormTrue(r: Record<string, number>): Promise<void> {
  const storm = await daemon('storm', `[check:main]\ncommand = true\n${side}`);
  const baseline = await bare();
  const storms: number[] = [];
  const bares: number[] = [];
  const sides: number[] = [];
  let errors = 0;
  try {
    await warmUp(`${storm.url}/check/main`);
    await warmUp(baseline.url);
    for (const name of ['storm', 'bare', 'bare', 'storm']) {
      if (name === 'bare') {
        bares.push((await load(baseline.url, 100, { duration: seconds })).rps);
        continue;
      }
      const [stormLoad, stormSide] = await Promise.all([
        load(`${storm.url}/check/main`, 100, { duration: seconds }),
        load(`${storm.url}/check/side`, 1, { overallRate: 50, duration: seconds }),
      ]);
      storms.push(stormLoad.rps);
      sides.push(stormSide.p99);
      errors += stormLoad.errors + stormLoad.non2xx;
    }
  } finally {
    await storm.stop();
    await baseline.stop();
  }
  r.stormTrue = median(storms);
  r.stormBare100 = median(bares);
  r.stormTrueErrors = errors;
  r.sideP99True = Math.max(...sides);
}

/** Target 3: one connection, the program run for every request, against the naive spawner. */
async function perRequest(r: Record<string, number>): Promise<void> {
  const seq = await daemon('sequential', '[check:main]\ncommand = true\n');
  ({ rps: r.seqTrue, cpu: r.cpuTrue } = await sequential(seq, '/check/main'));
  await seq.stop();
  // The same with Node's spawn, in builds that have the spawn helper (others refuse the key).
  const spawning = await daemon(
    'spawning',
    'spawn_helper = off\n[check:main]\ncommand = true\n',
  ).catch(() => null);
  if (spawning) {
    ({ rps: r.seqTrueNode, cpu: r.cpuTrueNode } = await sequential(spawning, '/check/main'));
    await spawning.stop();
  }
  const naiveTrue = await naive(['true']);
  ({ rps: r.naiveTrue, cpu: r.naiveCpuTrue } = await sequential(naiveTrue));
  await naiveTrue.stop();

  const shell = await daemon('shell', 'shell = /bin/bash\n[check:main]\ncommand = :\n');
  ({ rps: r.seqShell, cpu: r.cpuShell } = await sequential(shell, '/check/main'));
  await shell.stop();
  const naiveShell = await naive(['/bin/bash', '-c', ':']);
  ({ rps: r.naiveShell, cpu: r.naiveCpuShell } = await sequential(naiveShell));
  await naiveShell.stop();
}

async function stormSleep(r: Record<string, number>): Promise<void> {
  const sleepy = await daemon('sleep', `[check:main]\ncommand = sleep 0.2\n${side}`);
  const runs = async (): Promise<number> =>
    Number(runsPattern.exec(await get(`${sleepy.url}/metrics`))?.[1] ?? 0);
  const runsBefore = await runs();
  const started = performance.now();
  const [sleepLoad, sleepSide] = await Promise.all([
    // 200 ms cycles: a 4 s window cuts a cycle of 100 answers at either end (+-25 req/s),
    // so this storm runs long enough for that to stay under 2 %.
    load(`${sleepy.url}/check/main`, 100, { duration: sleepStormSeconds }),
    load(`${sleepy.url}/check/side`, 1, { overallRate: 50, duration: sleepStormSeconds }),
  ]);
  const elapsed = (performance.now() - started) / 1000;
  r.stormSleep = sleepLoad.rps;
  r.stormSleepP99 = sleepLoad.p99;
  r.stormSleepErrors = sleepLoad.errors + sleepLoad.non2xx + sleepLoad.timeouts;
  r.sleepRunsPerSecond = ((await runs()) - runsBefore) / elapsed;
  r.sideP99Sleep = sleepSide.p99;
  await sleepy.stop();
}

async function memoryUnder(server: Server): Promise<{ growth: number; hwm: number }> {
  await load(server.url, 100, { amount: 10_000 });
  const rss10k = memory(server.pid).rss;
  await load(server.url, 100, { amount: 90_000 });
  const after = memory(server.pid);
  return { growth: after.rss - rss10k, hwm: after.hwm };
}

async function memoryUnderLoad(r: Record<string, number>): Promise<void> {
  const b = await bare();
  ({ growth: r.bareGrowth, hwm: r.bareHwm } = await memoryUnder(b));
  await b.stop();
  const d = await daemon('memory', '[check:main]\ncommand = true\ninterval = 1s\n');
  ({ growth: r.daemonGrowth, hwm: r.daemonHwm } = await memoryUnder({
    ...d,
    url: `${d.url}/check/main`,
  }));
  await d.stop();
}

/** Target 6's idle RSS and target 7's start-up, bare and daemon taken in turn, 3 times each. */
async function startAndIdle(r: Record<string, number>): Promise<void> {
  const config = daemonArgs(build, work, 'startup', '[check:main]\ncommand = true\n');
  const figures = { startBare: [], startDaemon: [], bareIdle: [], daemonIdle: [] } as Record<
    string,
    number[]
  >;
  for (let i = 0; i < 3; i += 1) {
    for (const [name, args, stream] of [
      ['Bare', bareArgs(), 'stdout'],
      ['Daemon', config, 'stderr'],
    ] as const) {
      const { server, startMs } = await timedStart(args, stream);
      await pause(1500);
      figures[`start${name}`]?.push(startMs);
      figures[`${name.toLowerCase()}Idle`]?.push(memory(server.pid).rss);
      await server.stop();
    }
  }
  for (const [key, values] of Object.entries(figures)) r[key] = median(values);
}

const scenarios: Record<string, (r: Record<string, number>) => Promise<void>> = {
  answers,
  stormTrue,
  perRequest,
  stormSleep,
  memoryUnderLoad,
  startAndIdle,
};

/** One round: every scenario (or those BENCH_ONLY names) once. */
async function round(): Promise<Record<string, number>> {
  const r: Record<string, number> = {};
  for (const [name, scenario] of Object.entries(scenarios)) {
    if (only === null || only.includes(name)) await scenario(r);
  }
  return r;
}

function machine(): string {
  const describe = (b: Build): string =>
    `${b.bin}, with its shebang's Node flags (${b.nodeFlags.join(' ') || 'none'})`;
  return [
    `- CPU: ${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores)`,
    `- memory: ${fmt(totalmem() / 2 ** 30, 1)} GiB; kernel ${release()}; Node ${process.version}`,
    `- ${rounds} rounds of ${seconds} s per scenario, medians; throughput load from ${loadTool} on 127.0.0.1 (side probes at a fixed rate and the fixed-amount memory runs from autocannon)`,
    `- daemon: ${describe(thisBuild)}; the baselines with Node's defaults`,
    ...(before ? [`- before: ${describe(before)}, measured in turn with it in every round`] : []),
    '- CPU per request: utime + stime of the server, of the children it reaped and of its live children (the spawn helper) with theirs (/proc/<pid>/stat), over the requests answered',
  ].join('\n');
}

const mediansOf = (all: readonly Record<string, number>[]): Record<string, number> => {
  const result: Record<string, number> = {};
  for (const key of Object.keys(all[0] ?? {})) result[key] = median(all.map((m) => m[key] ?? NaN));
  return result;
};
const rawLines = (all: readonly Record<string, number>[], label: string): string =>
  all
    .map(
      (m, i) =>
        `- ${label}round ${i + 1}: ${JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v * 100) / 100])))}`,
    )
    .join('\n');

const measured: Record<string, number>[] = [];
const measuredBefore: Record<string, number>[] = [];
try {
  for (let i = 0; i < rounds; i += 1) {
    if (before) {
      process.stderr.write(`round ${i + 1} of ${rounds}, before...\n`);
      build = before;
      measuredBefore.push(await round());
      build = thisBuild;
    }
    process.stderr.write(`round ${i + 1} of ${rounds}...\n`);
    measured.push(await round());
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const present = (all: ReturnType<typeof rows>): ReturnType<typeof rows> =>
  all.filter((row) => !row.value.startsWith('NaN'));
const result = table(present(rows(mediansOf(measured))));
const comparison = before
  ? `\n\nBefore (${before.bin}) and after, each ratio against the baselines of its own turn:\n\n${compare(present(rows(mediansOf(measuredBefore))), present(rows(mediansOf(measured))))}`
  : '';
const raw = [
  rawLines(measured, ''),
  ...(before ? [rawLines(measuredBefore, 'before, ')] : []),
].join('\n');
const doc = `# Benchmark results\n\nMeasured ${new Date().toISOString()} by \`npm run bench\`.\n\n${machine()}\n\n${result}${comparison}\n\nRaw figures per round:\n\n${raw}\n`;
writeFileSync(process.env.BENCH_OUT ?? join(root, 'bench', 'RESULTS.md'), doc);
process.stdout.write(`${result}${comparison}\n`);
