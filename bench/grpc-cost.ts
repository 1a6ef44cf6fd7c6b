// What `[grpc]` costs: idle RSS and start-up (exec to the first answered HTTP probe) of the
// daemon without and with the section, medians of several rounds. Run after `npm run build`:
//   node dist/bench/grpc-cost.js [rounds] [baseline bin.js]
// With a baseline (the entry point of a build from before [grpc] existed), that one is measured
// too: the proof that a daemon without the section pays nothing. Prints a JSON line per round
// and a table of medians.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'dist', 'bundle', 'healthcheckd.mjs');
const rounds = Number(process.argv[2] ?? 5);
const baseline = process.argv[3] ?? null;
/** How long the daemon idles before its RSS is read. */
const idleMs = 3_000;
const work = mkdtempSync(join(tmpdir(), 'hcd-grpc-bench-'));
/** The Node flags of the bin's shebang: run it as it ships. */
const nodeFlags = (readFileSync(bin, 'utf8').split('\n')[0] ?? '')
  .replace(/^#!\S*env -S node\s*/, '')
  .split(' ')
  .filter((flag) => flag.startsWith('--'));

/** One daemon's start-up (ms) and idle RSS (KiB). */
interface Run {
  readonly startMs: number;
  readonly rssKiB: number;
}

function freePort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    }),
  );
}

function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 500 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, delay(5_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** One daemon: ms from exec to the first answered probe, and its RSS (KiB) after idling. */
async function measure(name: string, grpc: boolean, program = bin): Promise<Run> {
  const port = await freePort();
  const section = grpc ? `[grpc]\nport = ${await freePort()}\n` : '';
  const config = join(work, `${name}.config`);
  writeFileSync(
    config,
    `[healthcheckd]\nport = ${port}\nbind = 127.0.0.1\npiddir = ${work}\npidfile = ${name}.pid\n` +
      `spool_dir = ${join(work, 'spool')}\n[check:app]\ncommand = "true"\ninterval = 10s\n${section}`,
  );
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, program, 'run', config], {
    stdio: 'ignore',
  });
  try {
    for (let i = 0; i < 2_000 && !(await probe(port)); i += 1) await delay(2);
    const startMs = performance.now() - started;
    await delay(idleMs);
    return { startMs, rssKiB: rssKiB(child.pid ?? -1) };
  } finally {
    await stop(child);
  }
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const results = { without: [] as Run[], with: [] as Run[], baseline: [] as Run[] };
try {
  for (let round = 1; round <= rounds; round += 1) {
    let without: Run = { startMs: NaN, rssKiB: NaN };
    let withGrpc: Run = without;
    let before: Run | null = null;
    // The order turns each round, so that a busy machine's drift does not favour one kind.
    const kinds = [
      async () => (without = await measure(`without-${round}`, false)),
      async () => (withGrpc = await measure(`with-${round}`, true)),
      async () => (before = baseline ? await measure(`base-${round}`, false, baseline) : null),
    ];
    for (let i = 0; i < kinds.length; i += 1) await kinds[(i + round) % kinds.length]?.();
    results.without.push(without);
    results.with.push(withGrpc);
    if (before) results.baseline.push(before);
    process.stdout.write(
      `${JSON.stringify({ round, without, with: withGrpc, baseline: before })}\n`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const row = (label: string, runs: readonly Run[]): string =>
  `| ${label} | ${median(runs.map((r) => r.startMs)).toFixed(0)} ms | ` +
  `${(median(runs.map((r) => r.rssKiB)) / 1024).toFixed(1)} MiB |`;
process.stdout.write(
  [
    `Node ${process.version}, ${rounds} rounds, medians; RSS after ${idleMs / 1000} s idle`,
    '| daemon | start-up (exec to first answered HTTP probe) | idle RSS |',
    '| --- | --- | --- |',
    ...(baseline === null ? [] : [row('before [grpc] existed', results.baseline)]),
    row('without [grpc]', results.without),
    row('with [grpc]', results.with),
    '',
  ].join('\n'),
);
