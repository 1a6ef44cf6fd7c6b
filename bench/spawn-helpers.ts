// `node dist/bench/spawn-helpers.js [rounds]`: target 3 (one keep-alive connection, `true` on
// every request) served by the naive server spawning `true` itself, and by the same server
// delegating the spawn to a small long-lived helper (perl, a small Node), each with a bare
// server and with a daemon-sized one (grown to 68 MiB resident and run with the daemon's
// --max-semi-space-size=2). wrk -t1 -c1 -d4s per run after a 1 s warm-up, every candidate
// in every round (order rotated), ratios against the naive server of the same round, medians.
// Prints a Markdown table; CPU is server + helper + their reaped children, from /proc.
// The C candidate measured here first was adopted: it is native/spawn-helper.c now, measured
// in the daemon by `npm run bench` (target 3, with and without spawn_helper), and its first
// form stays in git (docs/performance.md, "A spawn helper").
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cgroup2Mount, ownCgroupDir } from '../src/checks/cgroup-runs.js';
import { ownCpuMs as cpuMs } from './proc.js';
import { startHelper, type HelperClient } from './spawn-helpers/helper-client.js';

const here = dirname(fileURLToPath(import.meta.url));
const sources = join(here, '..', '..', 'bench', 'spawn-helpers');
const serverJs = join(here, 'spawn-helpers', 'server.js');
const rounds = Number(process.argv[2] ?? 5);
if (!Number.isInteger(rounds) || rounds < 1) {
  throw new Error(`rounds: expected a whole number of at least 1, got '${process.argv[2]}'`);
}
const seconds = 4;
const daemonMiB = 68;

/** Servers running now: stopped with the bench when it is interrupted. */
const live = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of live) child.kill('SIGTERM');
    process.exit(130);
  });
}

interface Candidate {
  readonly name: string;
  readonly helper: readonly string[] | null;
  readonly ballast: boolean;
}

interface Sample {
  readonly rps: number;
  readonly cpuPerRequest: number;
  readonly p50: number;
  readonly p99: number;
  readonly serverRss: number;
  readonly helperRss: number;
}

function helpers(): Map<string, readonly string[]> {
  const all = new Map<string, readonly string[]>([
    ['perl (fork)', ['perl', join(sources, 'helper.pl')]],
    [
      'node (small heap)',
      [
        process.execPath,
        '--max-old-space-size=16',
        '--max-semi-space-size=1',
        join(here, 'spawn-helpers', 'node-helper.js'),
        // where it returns after starting a child inside a run's cgroup
        join(ownCgroupDir(cgroup2Mount()) ?? '/nonexistent', 'cgroup.procs'),
      ],
    ],
  ]);
  return all;
}

function candidates(helperArgvs: Map<string, readonly string[]>): Candidate[] {
  const list: Candidate[] = [];
  for (const ballast of [false, true]) {
    list.push({ name: 'naive', helper: null, ballast });
    for (const [name, argv] of helperArgvs) list.push({ name, helper: argv, ballast });
  }
  return list;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

type Env = readonly string[];

/** Own session, exit code, the 4 KiB cap, a kill of the whole group. */
async function basics(helper: HelperClient, env: Env): Promise<string[]> {
  const stat = await helper.run({ argv: ['/bin/sh', '-c', 'cat /proc/$$/stat; exit 3'], env });
  const session = Number(stat.output.toString().split(') ')[1]?.split(' ')[3]);
  const big = await helper.run({ argv: ['/bin/sh', '-c', 'head -c 10000 /dev/zero >&2'], env });
  const killed = await helper.run({ argv: ['/bin/sh', '-c', 'sleep 30 & sleep 30'], env }, (pid) =>
    setTimeout(() => helper.kill(pid, 9), 100),
  );
  return [
    stat.code === 3 ? '' : `exit code ${stat.code}, expected 3`,
    session === stat.pid ? '' : `session ${session}, expected its own (${stat.pid})`,
    big.output.length === 4096 && big.totalBytes === 10000
      ? ''
      : `kept ${big.output.length} of ${big.totalBytes} bytes, expected 4096 of 10000`,
    killed.signal === 9 ? '' : `signal ${killed.signal} after a group kill, expected 9`,
  ];
}

/** `user`: uid, gid and the supplementary groups of nobody (root only). */
async function user(helper: HelperClient, env: Env): Promise<string[]> {
  if (process.getuid?.() !== 0) return ['user: not checked (not root)'];
  const argv = ['/bin/sh', '-c', 'echo $(id -u) $(id -g) $(id -G)'];
  const run = await helper.run({ argv, env, uid: 65534, gid: 65534 });
  const ids = run.output.toString().trim();
  return [ids === '65534 65534 65534' ? '' : `ids '${ids}', expected '65534 65534 65534'`];
}

/** Containment: the child is in the run's cgroup v2 before it execs. */
async function containment(helper: HelperClient, env: Env, dir: string | null): Promise<string[]> {
  if (dir === null) return ['cgroup: not checked (no writable cgroup v2)'];
  const run = await helper.run({
    argv: ['/bin/cat', '/proc/self/cgroup'],
    env,
    cgroupProcs: join(dir, 'cgroup.procs'),
  });
  const name = `/${basename(dir)}`;
  const line = run.output
    .toString()
    .split('\n')
    .find((entry) => entry.startsWith('0::'));
  return [line?.endsWith(name) ? '' : `cgroup line '${line}', expected one ending in ${name}`];
}

/** A cgroup v2 to run one check in, beside this process; null when there is none to make. */
function runCgroup(): string | null {
  const own = ownCgroupDir();
  if (own === null) return null;
  try {
    return mkdtempSync(join(own, 'hcd-spawn-helpers-'));
  } catch {
    return null;
  }
}

/** Checks a helper keeps the daemon's guarantees; throws when one is broken. */
async function selfCheck(name: string, argv: readonly string[]): Promise<void> {
  const helper = startHelper(argv);
  const env = [`PATH=${process.env.PATH ?? '/usr/bin:/bin'}`];
  const dir = runCgroup();
  try {
    const results = [
      ...(await basics(helper, env)),
      ...(await user(helper, env)),
      ...(await containment(helper, env, dir)),
    ];
    const notes = results.filter((r) => r.includes('not checked'));
    const problems = results.filter((r) => r && !notes.includes(r));
    if (problems.length) throw new Error(`${name}: ${problems.join('; ')}`);
    const checked = 'own session, exit code, 4 KiB cap, group kill, user, cgroup';
    process.stderr.write(
      `${name}: ${checked}: ok${notes.length ? ` (${notes.join(', ')})` : ''}\n`,
    );
  } finally {
    helper.close();
    if (dir) rmdirSync(dir);
  }
}

function startServer(
  candidate: Candidate,
): Promise<{ child: ChildProcess; url: string; helper: number }> {
  const args = [
    ...(candidate.ballast ? ['--max-semi-space-size=2'] : []),
    serverJs,
    ...(candidate.helper ? ['helper', ...candidate.helper] : ['naive']),
  ];
  const env = { ...process.env, BALLAST_MIB: candidate.ballast ? String(daemonMiB) : '0' };
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let text = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /listening on (\S+) helper (\d+)/.exec(text);
      if (match?.[1]) resolve({ child, url: match[1], helper: Number(match[2]) });
    });
    child.once('exit', (code) => reject(new Error(`server ${candidate.name} exited ${code}`)));
  });
}

function wrk(
  url: string,
  duration: number,
  name: string,
): { rps: number; requests: number; p50: number; p99: number } {
  const text = execFileSync('wrk', ['-t1', '-c1', `-d${duration}s`, '--latency', url], {
    encoding: 'utf8',
  });
  if (/Non-2xx/.test(text)) throw new Error(`failed requests to ${name} on ${url}:\n${text}`);
  const ms = (label: string): number => {
    const match = new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s)$`, 'm').exec(text);
    const unit = { us: 0.001, ms: 1, s: 1000 }[match?.[2] as 'us' | 'ms' | 's'];
    return Number(match?.[1]) * unit;
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]),
    requests: Number(/(\d+) requests in/.exec(text)?.[1]),
    p50: ms('50'),
    p99: ms('99'),
  };
}

async function measure(candidate: Candidate): Promise<Sample> {
  const server = await startServer(candidate);
  const pid = server.child.pid ?? -1;
  const pids = server.helper ? [pid, server.helper] : [pid];
  wrk(server.url, 1, candidate.name);
  const before = pids.reduce((sum, p) => sum + cpuMs(p), 0);
  const run = wrk(server.url, seconds, candidate.name);
  const cpu = pids.reduce((sum, p) => sum + cpuMs(p), 0) - before;
  const sample = {
    rps: run.rps,
    cpuPerRequest: cpu / run.requests,
    p50: run.p50,
    p99: run.p99,
    serverRss: rssMiB(pid),
    helperRss: server.helper ? rssMiB(server.helper) : 0,
  };
  await new Promise((resolve) => server.child.once('exit', resolve).kill('SIGTERM'));
  return sample;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const header = [
  '| server | spawns through | RSS server / helper (MiB) | req/s | x naive | x naive, range | CPU ms/req | x naive CPU | p50 ms | p99 ms |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];

/** One table row: medians of the candidate's rounds, ratios to `base` of the same rounds. */
function row(candidate: Candidate, own: readonly Sample[], base: readonly Sample[]): string {
  const pick = (f: (s: Sample) => number, digits: number): string =>
    median(own.map(f)).toFixed(digits);
  const ratios = (f: (s: Sample) => number): number[] => own.map((s, i) => f(s) / f(base[i]!));
  const ratio = (f: (s: Sample) => number): string => `${median(ratios(f)).toFixed(2)}x`;
  const spread = (values: number[]): string =>
    `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}`;
  const server = candidate.ballast ? `daemon-sized (${daemonMiB} MiB at start)` : 'bare';
  const through = candidate.helper ? candidate.name : 'its own spawn()';
  const rss = `${pick((s) => s.serverRss, 0)} / ${candidate.helper ? pick((s) => s.helperRss, 0) : '-'}`;
  const cells = [
    server,
    through,
    rss,
    pick((s) => s.rps, 0),
    ratio((s) => s.rps),
    spread(ratios((s) => s.rps)),
    pick((s) => s.cpuPerRequest, 2),
    ratio((s) => s.cpuPerRequest),
    pick((s) => s.p50, 2),
    pick((s) => s.p99, 2),
  ];
  return `| ${cells.join(' | ')} |`;
}

function table(list: readonly Candidate[], samples: Map<Candidate, Sample[]>): string {
  const base = samples.get(list.find((c) => c.name === 'naive' && !c.ballast)!)!;
  return [...header, ...list.map((c) => row(c, samples.get(c)!, base))].join('\n');
}

/** What the table was measured on: rounds, CPUs, the 1-minute load average after each round. */
function footer(loads: readonly number[]): string {
  const [before = NaN, ...after] = loads;
  return [
    `\`node dist/bench/spawn-helpers.js ${rounds}\`: ${rounds} rounds, medians;`,
    'ratios against the bare naive server of the same round, range = lowest-highest round.',
    `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version},`,
    `wrk -t1 -c1 -d${seconds}s after a 1 s warm-up. Load average (1 min) ${before.toFixed(2)}`,
    `before, ${Math.min(...after).toFixed(2)}-${Math.max(...after).toFixed(2)} after the rounds.`,
  ].join(' ');
}

async function main(): Promise<void> {
  const helperArgvs = helpers();
  for (const [name, argv] of helperArgvs) await selfCheck(name, argv);
  const list = candidates(helperArgvs);
  const samples = new Map<Candidate, Sample[]>(list.map((c) => [c, []]));
  const loads = [loadavg()[0]!];
  for (let round = 0; round < rounds; round++) {
    const order = list.map((_, i) => list[(i + round) % list.length]!);
    for (const candidate of order) samples.get(candidate)!.push(await measure(candidate));
    loads.push(loadavg()[0]!);
    process.stderr.write(`round ${round + 1} of ${rounds} done\n`);
  }
  process.stdout.write(`${table(list, samples)}\n\n${footer(loads)}\n`);
}

await main();
