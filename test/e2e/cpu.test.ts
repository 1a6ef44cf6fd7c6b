/**
 * End to end, under real load: healthcheckd's `[agent] weight = cpu` and the shipped
 * examples/cpu-pool.sh as a check, while this test makes every core busy with child processes
 * of its own. This is the one test of the CPU weight that reads the real /proc/stat under load;
 * the weight logic itself is tested on recorded samples in test/agent/cpu.test.ts, the script's
 * parsing and thresholds in test/examples/cpu-pool.test.ts.
 *
 * The machine may be shared and busy (CI: 2 cores, other test files beside this one, perhaps a
 * CPU hog), so the test asserts only what more load cannot break: every weight stays within
 * min_weight..100; with one busy child per core the weight comes down (or is at min_weight
 * already) and the check fails over 80 % busy; and the daemon keeps answering once the children
 * are gone. It asserts no idle weight before nor a recovery after: another process may hold the
 * cores the whole time.
 */
import assert from 'node:assert/strict';
import { availableParallelism, setPriority } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentRead } from '../support/agent-client.js';
import { daemonConfig, type RunningDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { freePort } from '../support/listen.js';
import { examples } from '../support/paths.js';
import { waitUntil } from '../support/wait.js';
import {
  Cleanup,
  spawnGroup,
  startTrackedDaemon,
  stopDaemon,
  trackedTempDir,
  type Spawned,
} from './helpers.js';

const script = join(examples, 'cpu-pool.sh');
/** The check fails above this busy share. */
const maxBusy = 80;
const minWeight = 5;
/** Each phase gets this long: the agent's average spans 5 s of 1 s samples. */
const phaseMs = 40_000;

const skip =
  process.platform === 'linux'
    ? false
    : 'weight = cpu and examples/cpu-pool.sh read /proc/stat: Linux only';

interface Reading {
  readonly line: string;
  /** The weight sent, or null for a line without one (`up ready` before two samples exist). */
  readonly weight: number | null;
}

describe('CPU weight and cpu-pool.sh under real load', { skip, timeout: 240_000 }, () => {
  const cleanup = new Cleanup();
  let daemon: RunningDaemon;
  let agentPort = 0;
  const seen: Reading[] = [];

  /** One agent line, kept in `seen`: the test asserts at its end that every one was in bounds. */
  const weight = async (): Promise<Reading> => {
    const line = await agentRead(agentPort, 10_000);
    const match = /^up ready(?: (\d+)%)?\n$/.exec(line);
    const reading = { line, weight: match?.[1] === undefined ? null : Number(match[1]) };
    seen.push(reading);
    return reading;
  };
  const outOfBounds = (): Reading[] =>
    seen.filter(
      (r) =>
        !/^up ready/.test(r.line) ||
        (r.weight !== null && (r.weight < minWeight || r.weight > 100)),
    );
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
    const config = daemonConfig(
      dir.path,
      'cpu',
      [
        '[check:cpu]',
        // As examples/cpu-pool.config, faster: a 0.5 s sample every second.
        `command = "SAMPLE_SECONDS=0.5 ${script} ${maxBusy}"`,
        'timeout = 10s',
        'interval = 1s',
        // Not critical: a saturated CPU warns the aggregate, so the agent keeps answering
        // `up ready N%` (a failing aggregate would answer `down`, with no weight to read).
        'critical = false',
        '[agent]',
        `port = ${agentPort}`,
        'weight = cpu',
        `min_weight = ${minWeight}%`,
        '',
      ].join('\n'),
    );
    daemon = await startTrackedDaemon(['run', config]);
    cleanup.add(() => stopDaemon(daemon));
  });
  after(() => cleanup.run());

  it('weighs the server down and fails the check while every core is busy', async (t) => {
    const before = await waitUntil(
      'a first measured weight',
      weight,
      (r) => r.weight !== null,
      phaseMs,
      250,
    );
    const spinners: Spawned[] = [];
    try {
      const cores = availableParallelism();
      for (let i = 0; i < cores; i += 1) {
        // A shell loop: as busy as `node -e "for(;;){}"`, a fraction of the memory per core.
        // At nice 19 it still takes every idle cycle, but yields to everything else.
        const spinner = spawnGroup('/bin/sh', ['-c', 'while :; do :; done']);
        spinners.push(spinner);
        setPriority(spinner.pid, 19);
      }
      const loaded = await waitUntil(
        `the weight to come under ${before.weight}%, or to be at min_weight, with ${cores} busy children`,
        weight,
        (r) => r.weight !== null && (r.weight < (before.weight ?? 0) || r.weight === minWeight),
        phaseMs,
        500,
      );
      const busy = await waitUntil(
        `the cpu check to fail over ${maxBusy}% busy`,
        cpuCheck,
        (c) => c.status === 503,
        phaseMs,
        250,
      );
      assert.match(busy.output, /^cpu busy \d+% > max 80%/);
      const aggregate = await httpRequest(daemon.port);
      assert.equal(aggregate.status, 200, 'critical = false: the aggregate only warns');
      assert.equal(aggregate.body, 'WARN');
      t.diagnostic(
        `weight ${before.weight}% before the load, ${loaded.weight}% under it; ${busy.output.trim()}`,
      );
    } finally {
      await Promise.all(spinners.map((spinner) => spinner.stop(1_000)));
    }
    const afterwards = await weight();
    assert.notEqual(afterwards.weight, null, 'the agent still sends a weight');
    assert.equal((await httpRequest(daemon.port)).status, 200);
    assert.deepEqual(outOfBounds(), [], `every line is up ready, every weight ${minWeight}..100`);
    t.diagnostic(`weight after the load: ${afterwards.weight}%; ${seen.length} readings in bounds`);
  });
});
