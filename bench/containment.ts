// The cost per run of each containment mechanism against a plain spawn: `node
// dist/bench/containment.js [runs]` (default 200) runs `true` that many times, one after the
// other, the way a check runs it, and prints wall and CPU time per run. CPU is this process's
// own (process.cpuUsage) plus its reaped children's (cutime + cstime from /proc/self/stat,
// in clock ticks of 10 ms, so read over many runs). The modes take turns in batches of 20.
// Modes this host does not offer are left out.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { runCommand, type CommandSpec } from '../src/checks/command.js';
import { containmentFor, type ContainMode } from '../src/checks/containment.js';
import { createProcessTracker } from '../src/checks/process-tracker.js';

const runs = Number(process.argv[2] ?? '200');
const ticksPerSecond = 100;

interface Cost {
  readonly wallMs: number;
  readonly ownCpuMs: number;
  readonly childCpuMs: number;
}

function childCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime stime cutime cstime are fields 14-17; after the ')' they start at index 11.
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
}

/** Interleaved batches, so that the load of a shared machine falls on every mode alike. */
const batch = 20;

async function batchCost(once: () => Promise<void>): Promise<Cost> {
  const cpu = process.cpuUsage();
  const children = childCpuMs();
  const started = performance.now();
  for (let i = 0; i < batch; i += 1) await once();
  const used = process.cpuUsage(cpu);
  return {
    wallMs: performance.now() - started,
    ownCpuMs: (used.user + used.system) / 1000,
    childCpuMs: childCpuMs() - children,
  };
}

async function measureAll(ways: readonly (readonly [string, () => Promise<void>])[]) {
  const totals = ways.map(() => ({ wallMs: 0, ownCpuMs: 0, childCpuMs: 0 }));
  for (const [, once] of ways) for (let i = 0; i < 10; i += 1) await once(); // warm up
  for (let done = 0; done < runs; done += batch) {
    for (const [index, [, once]] of ways.entries()) {
      const cost = await batchCost(once);
      const total = totals[index]!;
      total.wallMs += cost.wallMs;
      total.ownCpuMs += cost.ownCpuMs;
      total.childCpuMs += cost.childCpuMs;
    }
  }
  const measured = Math.ceil(runs / batch) * batch;
  return ways.map(([name], index): [string, Cost] => {
    const total = totals[index]!;
    return [
      name,
      {
        wallMs: total.wallMs / measured,
        ownCpuMs: total.ownCpuMs / measured,
        childCpuMs: total.childCpuMs / measured,
      },
    ];
  });
}

function plainSpawn(): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('true', [], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.once('close', () => resolve());
  });
}

function viaRunCommand(mode: ContainMode): (() => Promise<void>) | null {
  const containment = containmentFor(mode);
  if (!containment) return null;
  const tracker = createProcessTracker({ containment });
  const spec: CommandSpec = {
    command: 'true',
    shell: '/bin/sh',
    argv: ['true'],
    env: process.env,
    warnExitCodes: [],
  };
  return async () => {
    const result = await runCommand(spec, 10_000, tracker);
    if (result.status !== 'pass') throw new Error(`${mode}: ${result.output}`);
  };
}

const ways: [string, () => Promise<void>][] = [['spawn(true), no runCommand', plainSpawn]];
for (const mode of ['group', 'cgroup', 'pidns'] as const) {
  const once = viaRunCommand(mode);
  if (once) ways.push([`runCommand, ${mode}`, once]);
}
const rows = await measureAll(ways);
const base = rows[1]?.[1] ?? rows[0]![1];
process.stdout.write(`${runs} sequential runs of \`true\` each; per run:\n\n`);
process.stdout.write('| how | wall ms | daemon CPU ms | children CPU ms | wall vs group |\n');
process.stdout.write('| --- | --- | --- | --- | --- |\n');
for (const [name, cost] of rows) {
  const ratio = (cost.wallMs / base.wallMs).toFixed(2);
  process.stdout.write(
    `| ${name} | ${cost.wallMs.toFixed(2)} | ${cost.ownCpuMs.toFixed(2)} | ` +
      `${cost.childCpuMs.toFixed(2)} | ${ratio}x |\n`,
  );
}
