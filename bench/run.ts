// `npm run bench`: every performance target (docs/performance.md) measured beside its baseline in the same run, load
// from separate processes on loopback, medians of several rounds; prints a table and writes
// bench/RESULTS.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const bin = join(root, 'dist', 'src', 'bin.js');
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const sleepStormSeconds = Math.max(seconds, 12);
const work = mkdtempSync(join(tmpdir(), 'hcd-bench-'));
/** The Node flags of the bin's shebang (`#!/usr/bin/env -S node ...`): run it as it ships. */
const nodeFlags = (readFileSync(bin, 'utf8').split('\n')[0] ?? '')
  .replace(/^#!\S*env -S node\s*/, '')
  .split(' ')
  .filter((flag) => flag.startsWith('--'));

interface Load {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

interface Server {
  readonly pid: number;
  readonly url: string;
  readonly stop: () => Promise<void>;
}

function start(args: readonly string[], stream: 'stdout' | 'stderr'): Promise<Server> {
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

function runJson<T>(args: readonly string[]): Promise<T> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as T)
        : reject(new Error(`${args.join(' ')} exited ${code}`)),
    ),
  );
}

function load(url: string, connections: number, extra: Record<string, number> = {}): Promise<Load> {
  if (process.env.BENCH_DEBUG)
    process.stderr.write(`load ${url} x${connections} ${JSON.stringify(extra)}\n`);
  const options = { url, connections, ...(extra.amount ? {} : { duration: seconds }), ...extra };
  return runJson<Load>([join(here, 'load.js'), JSON.stringify(options)]);
}

async function spawnRate(argv: readonly string[]): Promise<number> {
  return (await runJson<{ rate: number }>([join(here, 'spawn-rate.js'), String(seconds), ...argv]))
    .rate;
}

function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number =>
    Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

function daemon(name: string, checks: string): Promise<Server> {
  const config = join(work, `${name}.config`);
  writeFileSync(
    config,
    `[healthcheckd]\nport = 0\nbind = 127.0.0.1\npiddir = ${work}\npidfile = ${name}.pid\nspool_dir = ${work}/spool\nlog_level = info\nlog_format = json\n${checks}`,
  );
  return start([...nodeFlags, bin, 'run', config], 'stderr');
}

const bare = (): Promise<Server> => start([join(here, 'bare-server.js')], 'stdout');

async function metricValue(url: string, pattern: RegExp): Promise<number> {
  const text = await new Promise<string>((resolve, reject) => {
    request(`${url}/metrics`, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
  return Number(pattern.exec(text)?.[1] ?? NaN);
}

const side = '[check:side]\ncommand = true\ninterval = 1s\n';

/** One round: every scenario once, each daemon figure beside its baseline. */
async function round(): Promise<Record<string, number>> {
  const r: Record<string, number> = {};
  const b = await bare();
  r.bare1 = (await load(b.url, 1)).rps;
  r.bare100 = (await load(b.url, 100)).rps;
  await b.stop();

  const bg = await daemon('background', '[check:main]\ncommand = true\ninterval = 1s\n');
  r.bg1 = (await load(`${bg.url}/check/main`, 1)).rps;
  r.bg100 = (await load(`${bg.url}/check/main`, 100)).rps;
  await bg.stop();

  const cached = await daemon('cached', '[check:main]\ncommand = true\ncache_pass = 1h\n');
  r.cached1 = (await load(`${cached.url}/check/main`, 1)).rps;
  r.cached100 = (await load(`${cached.url}/check/main`, 100)).rps;
  await cached.stop();

  const storm = await daemon('storm', `[check:main]\ncommand = true\n${side}`);
  const [stormLoad, stormSide] = await Promise.all([
    load(`${storm.url}/check/main`, 100),
    load(`${storm.url}/check/side`, 1, { overallRate: 50 }),
  ]);
  r.stormTrue = stormLoad.rps;
  r.stormTrueErrors = stormLoad.errors + stormLoad.non2xx;
  r.sideP99True = stormSide.p99;
  r.seqTrue = (await load(`${storm.url}/check/main`, 1)).rps;
  await storm.stop();
  r.spawnTrue = await spawnRate(['true']);

  const shell = await daemon('shell', 'shell = /bin/bash\n[check:main]\ncommand = :\n');
  r.seqShell = (await load(`${shell.url}/check/main`, 1)).rps;
  await shell.stop();
  r.spawnShell = await spawnRate(['/bin/bash', '-c', ':']);

  const sleepy = await daemon('sleep', `[check:main]\ncommand = sleep 0.2\n${side}`);
  const runsBefore = await metricValue(
    sleepy.url,
    /healthcheckd_check_runs_total\{check="main",result="pass"\} (\d+)/,
  );
  const started = performance.now();
  const [sleepLoad, sleepSide] = await Promise.all([
    // 200 ms cycles: a 4 s window cuts a cycle of 100 answers at either end (+-25 req/s),
    // so this storm runs long enough for that to stay under 2 %.
    load(`${sleepy.url}/check/main`, 100, { duration: sleepStormSeconds }),
    load(`${sleepy.url}/check/side`, 1, { overallRate: 50, duration: sleepStormSeconds }),
  ]);
  const elapsed = (performance.now() - started) / 1000;
  const runs =
    (await metricValue(
      sleepy.url,
      /healthcheckd_check_runs_total\{check="main",result="pass"\} (\d+)/,
    )) - (Number.isNaN(runsBefore) ? 0 : runsBefore);
  r.stormSleep = sleepLoad.rps;
  r.stormSleepP99 = sleepLoad.p99;
  r.stormSleepErrors = sleepLoad.errors + sleepLoad.non2xx + sleepLoad.timeouts;
  r.sleepRunsPerSecond = runs / elapsed;
  r.sideP99Sleep = sleepSide.p99;
  await sleepy.stop();

  Object.assign(r, await memoryRound());
  Object.assign(r, await startupRound());
  return r;
}

async function memoryUnder(
  server: Server,
): Promise<{ rss10k: number; rss100k: number; hwm: number }> {
  await load(server.url.endsWith('/check/main') ? server.url : server.url, 100, { amount: 10_000 });
  const rss10k = memory(server.pid).rss;
  await load(server.url, 100, { amount: 90_000 });
  const after = memory(server.pid);
  return { rss10k, rss100k: after.rss, hwm: after.hwm };
}

async function memoryRound(): Promise<Record<string, number>> {
  const b = await bare();
  const bm = await memoryUnder(b);
  await b.stop();
  const d = await daemon('memory', '[check:main]\ncommand = true\ninterval = 1s\n');
  const dm = await memoryUnder({ ...d, url: `${d.url}/check/main` });
  await d.stop();
  return {
    bareHwm: bm.hwm,
    bareGrowth: bm.rss100k - bm.rss10k,
    daemonHwm: dm.hwm,
    daemonGrowth: dm.rss100k - dm.rss10k,
  };
}

async function timeToFirstAnswer(
  args: readonly string[],
  stream: 'stdout' | 'stderr',
): Promise<number> {
  const started = performance.now();
  const server = await start(args, stream);
  await new Promise<void>((resolve, reject) =>
    request(server.url, (res) => {
      res.resume();
      res.on('end', resolve);
    })
      .on('error', reject)
      .end(),
  );
  const took = performance.now() - started;
  await server.stop();
  return took;
}

async function startupRound(): Promise<Record<string, number>> {
  const config = join(work, 'startup.config');
  writeFileSync(
    config,
    `[healthcheckd]\nport = 0\nbind = 127.0.0.1\npiddir = ${work}\nlog_level = info\ncommand = true\n`,
  );
  return {
    startBare: await timeToFirstAnswer([join(here, 'bare-server.js')], 'stdout'),
    startDaemon: await timeToFirstAnswer([...nodeFlags, bin, 'run', config], 'stderr'),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

interface Row {
  readonly scenario: string;
  readonly value: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  readonly met: boolean;
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function ratioRow(
  scenario: string,
  value: number,
  baseline: number,
  target: number,
  unit = 'req/s',
): Row {
  const ratio = value / baseline;
  return {
    scenario,
    value: `${fmt(value)} ${unit}`,
    baseline: `${fmt(baseline)} ${unit}`,
    ratio: `${fmt(ratio, 2)}x`,
    target: `>= ${target}x`,
    met: ratio >= target,
  };
}

function rows(m: Record<string, number>): Row[] {
  const g = (key: string): number => m[key] ?? NaN;
  return [
    ratioRow('1. background answer, 1 connection', g('bg1'), g('bare1'), 0.8),
    ratioRow('1. background answer, 100 connections', g('bg100'), g('bare100'), 0.8),
    ratioRow('1. cached answer (cache_pass), 1 connection', g('cached1'), g('bare1'), 0.8),
    ratioRow('1. cached answer (cache_pass), 100 connections', g('cached100'), g('bare100'), 0.8),
    {
      ...ratioRow('2. storm of 100 on `true`, single-flight', g('stormTrue'), g('bare100'), 0.5),
      scenario: `2. storm of 100 on \`true\`, single-flight (errors ${fmt(g('stormTrueErrors'))})`,
    },
    ratioRow(
      '3. one connection, `true` each request (direct exec) vs spawn(true)',
      g('seqTrue'),
      g('spawnTrue'),
      0.8,
      '/s',
    ),
    ratioRow(
      '3. one connection, `:` each request (bash -c) vs spawn(bash -c :)',
      g('seqShell'),
      g('spawnShell'),
      0.8,
      '/s',
    ),
    {
      scenario: `4. storm of 100 on \`sleep 0.2\` (errors ${fmt(g('stormSleepErrors'))}, runs ${fmt(g('sleepRunsPerSecond'), 1)}/s = one in flight)`,
      value: `${fmt(g('stormSleep'))} req/s, p99 ${fmt(g('stormSleepP99'))} ms`,
      baseline: 'ceiling 500 req/s',
      ratio: `${fmt(g('stormSleep') / 500, 2)}x`,
      target: '>= 475 req/s, p99 < 250 ms, 0 errors',
      met:
        g('stormSleep') >= 475 &&
        g('stormSleepP99') < 250 &&
        g('stormSleepErrors') === 0 &&
        g('sleepRunsPerSecond') <= 5.5,
    },
    {
      scenario: '5. side probe p99 during storm 2',
      value: `${fmt(g('sideP99True'))} ms`,
      baseline: '-',
      ratio: '-',
      target: '< 50 ms',
      met: g('sideP99True') < 50,
    },
    {
      scenario: '5. side probe p99 during storm 4',
      value: `${fmt(g('sideP99Sleep'))} ms`,
      baseline: '-',
      ratio: '-',
      target: '< 50 ms',
      met: g('sideP99Sleep') < 50,
    },
    {
      ...ratioRow(
        '6. peak RSS under 100 connections',
        g('daemonHwm') / 1024,
        g('bareHwm') / 1024,
        0,
        'MiB',
      ),
      target: '<= 1.25x',
      met: g('daemonHwm') / g('bareHwm') <= 1.25,
    },
    {
      scenario: '6. RSS growth from 10k to 100k requests',
      value: `${fmt(g('daemonGrowth') / 1024, 1)} MiB`,
      baseline: `${fmt(g('bareGrowth') / 1024, 1)} MiB`,
      ratio: '-',
      target: 'no more than bare (+2 MiB noise)',
      met: g('daemonGrowth') <= Math.max(g('bareGrowth'), 0) + 2048,
    },
    {
      scenario: 'startup: exec to first answered probe',
      value: `${fmt(g('startDaemon'))} ms`,
      baseline: `${fmt(g('startBare'))} ms`,
      ratio: `${fmt(g('startDaemon') / g('startBare'), 2)}x`,
      target: 'reported',
      met: true,
    },
  ];
}

function table(all: readonly Row[]): string {
  const lines = [
    '| scenario | healthcheckd | baseline | ratio | target | met |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of all)
    lines.push(
      `| ${row.scenario} | ${row.value} | ${row.baseline} | ${row.ratio} | ${row.target} | ${row.met ? 'yes' : '**no**'} |`,
    );
  return lines.join('\n');
}

function machine(): string {
  return [
    `- CPU: ${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores)`,
    `- memory: ${fmt(totalmem() / 2 ** 30, 1)} GiB; kernel ${release()}; Node ${process.version}`,
    `- ${rounds} rounds of ${seconds} s per scenario, medians; load from separate autocannon processes on 127.0.0.1`,
    `- healthcheckd runs with its shebang's Node flags (${nodeFlags.join(' ') || 'none'}); the baseline with Node's defaults`,
  ].join('\n');
}

const measured: Record<string, number>[] = [];
try {
  for (let i = 0; i < rounds; i += 1) {
    process.stderr.write(`round ${i + 1} of ${rounds}...\n`);
    measured.push(await round());
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const medians: Record<string, number> = {};
for (const key of Object.keys(measured[0] ?? {}))
  medians[key] = median(measured.map((m) => m[key] ?? NaN));
const result = table(rows(medians));
const raw = measured
  .map(
    (m, i) =>
      `- round ${i + 1}: ${JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v)])))}`,
  )
  .join('\n');
const doc = `# Benchmark results\n\nMeasured ${new Date().toISOString()} by \`npm run bench\`.\n\n${machine()}\n\n${result}\n\nRaw figures per round:\n\n${raw}\n`;
writeFileSync(join(root, 'bench', 'RESULTS.md'), doc);
process.stdout.write(`${result}\n`);
