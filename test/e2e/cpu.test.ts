/**
 * End to end, under real load: healthcheckd's `[agent] weight = cpu` and the shipped
 * examples/cpu-pool.sh as a check, while this test saturates every core with busy child
 * processes and then stops them. The weight must go down and the check must fail under load,
 * and both must come back afterwards.
 *
 * The machine is shared (CI: 2 cores, other test files running beside this one), so the
 * assertions are relative and tolerant: the weight under load must be at least 20 points under
 * the weight measured before, the check must cross a threshold of 80% busy; every measurement
 * is polled, within bounds. The busy children run at nice 19: they still take every idle cycle
 * (busy counts nice time) but yield to everything else, the daemon and other tests included.
 *
 * The deterministic parsing and threshold tests of the CPU example (recorded /proc/stat
 * samples, exit codes, --weight) are in test/examples/cpu-pool.test.ts; the sampler's own unit
 * tests in test/agent/cpu.test.ts.
 */
import assert from 'node:assert/strict';
import { availableParallelism, setPriority } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  agentRead,
  freePort,
  httpRequest,
  repoRoot,
  writeConfig,
  type RunningDaemon,
} from '../support/daemon.js';
import {
  Cleanup,
  trackedTempDir,
  startTrackedDaemon,
  spawnGroup,
  stopDaemon,
  waitUntil,
  type Spawned,
} from './helpers.js';

const script = join(repoRoot, 'examples', 'cpu-pool.sh');
/** The check fails above this busy share. */
const maxBusy = 80;
/** The weight must move by at least this many points. */
const margin = 20;
/** Each phase gets this long: the agent's average spans 5 s of 1 s samples. */
const phaseMs = 25_000;

const skip =
  process.platform === 'linux'
    ? false
    : 'weight = cpu and examples/cpu-pool.sh read /proc/stat: Linux only';

/** Reads the agent's one line. */
const agentLine = (port: number): Promise<string> => agentRead(port, 5_000);

interface Reading {
  readonly line: string;
  readonly weight: number | null;
}

describe('CPU weight and cpu-pool.sh under real load', { skip, timeout: 150_000 }, () => {
  const cleanup = new Cleanup();
  let daemon: RunningDaemon;
  let agentPort = 0;

  const weight = async (): Promise<Reading> => {
    const line = await agentLine(agentPort);
    const match = /^up ready (\d+)%\n$/.exec(line);
    return { line, weight: match ? Number(match[1]) : null };
  };
  /** /check/cpu as JSON: the HTTP status and the script's output. */
  const cpuCheck = async (): Promise<{ status: number; output: string }> => {
    const reply = await httpRequest(daemon.port, { path: '/check/cpu?format=json' });
    const document = JSON.parse(reply.body) as { checks: { cpu?: { output?: string }[] } };
    return { status: reply.status, output: document.checks.cpu?.[0]?.output ?? '' };
  };

  before(async () => {
    const dir = trackedTempDir('hcd-e2e-cpu-');
    cleanup.add(() => dir.cleanup());
    agentPort = await freePort();
    const config = writeConfig(
      dir.path,
      [
        '[healthcheckd]',
        'port = 0',
        'bind = 127.0.0.1',
        `piddir = ${dir.path}`,
        `spool_dir = ${dir.path}/spool`,
        '[check:cpu]',
        // As examples/cpu-pool.config, faster: a 0.5 s sample every second.
        `command = "SAMPLE_SECONDS=0.5 ${script} ${maxBusy}"`,
        'timeout = 3s',
        'interval = 1s',
        // Not critical: a saturated CPU warns the aggregate, so the agent keeps answering
        // `up ready N%` (a failing aggregate would answer `down`, with no weight to read).
        'critical = false',
        '[agent]',
        `port = ${agentPort}`,
        'weight = cpu',
        'min_weight = 1%',
        '',
      ].join('\n'),
      'cpu.config',
    );
    daemon = await startTrackedDaemon(['run', config]);
    cleanup.add(() => stopDaemon(daemon));
  });
  after(() => cleanup.run());

  it('weighs the server down and fails the check while every core is busy, and recovers', async (t) => {
    // Idle-ish: the machine may be shared, so take the best of the readings for a while.
    let idle = 0;
    await waitUntil(
      `an idle weight of at least ${margin + 10}% (the machine may be too busy to measure)`,
      weight,
      (r) => {
        idle = Math.max(idle, r.weight ?? 0);
        return idle >= margin + 10;
      },
      phaseMs,
      500,
    );
    const calm = await waitUntil(
      'the cpu check to pass before the load',
      cpuCheck,
      (c) => c.status === 200,
      phaseMs,
      250,
    );
    assert.match(calm.output, /^cpu busy \d+% \(max 80%\)/);

    const spinners: Spawned[] = [];
    let low = idle - margin;
    try {
      const cores = availableParallelism();
      for (let i = 0; i < cores; i += 1) {
        // A shell loop: as busy as `node -e "for(;;){}"`, a fraction of the memory per core.
        const spinner = spawnGroup('/bin/sh', ['-c', 'while :; do :; done']);
        spinners.push(spinner);
        setPriority(spinner.pid, 19);
      }
      const loaded = await waitUntil(
        `the weight to fall at least ${margin} points under ${idle}% with ${cores} busy children`,
        weight,
        (r) => r.weight !== null && r.weight <= idle - margin,
        phaseMs,
        500,
      );
      assert.ok(loaded.weight !== null && loaded.weight < idle, loaded.line);
      low = loaded.weight;
      const busy = await waitUntil(
        `the cpu check to fail over ${maxBusy}% busy`,
        cpuCheck,
        (c) => c.status === 503,
        phaseMs,
        250,
      );
      assert.match(busy.output, /^cpu busy \d+% > max 80%/);
      t.diagnostic(
        `idle weight ${idle}%, under load ${loaded.weight}%, check: ${busy.output.trim()}`,
      );
      const aggregate = await httpRequest(daemon.port);
      assert.equal(aggregate.status, 200, 'critical = false: the aggregate only warns');
      assert.equal(aggregate.body, 'WARN');
    } finally {
      await Promise.all(spinners.map((spinner) => spinner.stop(1_000)));
    }

    const recovered = await waitUntil(
      `the weight to climb back at least ${margin} points over ${low}%`,
      weight,
      (r) => r.weight !== null && r.weight >= low + margin,
      phaseMs,
      500,
    );
    t.diagnostic(`weight after the load: ${recovered.weight}%`);
    await waitUntil('the cpu check to pass again', cpuCheck, (c) => c.status === 200, phaseMs, 250);
  });
});
