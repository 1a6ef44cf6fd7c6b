import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createRunner, type RunnerDeps } from '../../src/checks/runner.js';
import type { CheckDefinition, RunResult } from '../../src/types.js';
import { asEpochMs, asMonotonicMs, type MonotonicMs } from '../../src/util/clock.js';

/**
 * Case A-08: a background check whose run takes longer than max_age - interval must not
 * count as stale while that run is in flight within its timeout.
 */

function clock(start = 50_000): { now: () => MonotonicMs; advance: (ms: number) => void } {
  let time = start;
  return { now: () => asMonotonicMs(time), advance: (ms) => void (time += ms) };
}

function slowCheck(overrides: Partial<CheckDefinition> = {}): CheckDefinition {
  return {
    name: 'slow',
    kind: 'command',
    target: 'sleep 2.8',
    timeoutMs: 10_000,
    intervalMs: 1_000,
    maxAgeMs: 3_000,
    cachePassMs: 0,
    cacheFailMs: 0,
    rise: 1,
    fall: 1,
    warnExitCodes: [],
    critical: true,
    groups: [],
    expectStatus: [{ from: 200, to: 399 }],
    flapThresholdPercent: null,
    origin: { file: 'test', line: 1 },
    ...overrides,
  };
}

function passAt(endedAt: number): RunResult {
  return {
    status: 'pass',
    exitCode: 0,
    httpStatus: null,
    signal: null,
    timedOut: false,
    durationMs: 2_800,
    output: '',
    endedAt: asMonotonicMs(endedAt),
    time: asEpochMs(endedAt),
  };
}

/** An execute whose runs the test ends by hand, each with a pass at the clock's time. */
function manualRuns(now: () => number): {
  execute: RunnerDeps['execute'];
  finish: () => void;
  calls: () => number;
} {
  const pending: ((result: RunResult) => void)[] = [];
  let calls = 0;
  return {
    execute: () => {
      calls += 1;
      return new Promise((resolve) => pending.push(resolve));
    },
    finish: () => pending.shift()?.(passAt(now())),
    calls: () => calls,
  };
}

function logLines(): { logger: RunnerDeps['logger']; messages: () => string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return {
    logger: pino({ level: 'info' }, stream),
    messages: () => lines.map((line) => (JSON.parse(line) as { msg: string }).msg),
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Polls `condition` for up to 5 s. */
async function until(condition: () => boolean): Promise<boolean> {
  for (let i = 0; i < 250 && !condition(); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe(
  'runner: not stale while a run is in flight within its timeout',
  { timeout: 30_000 },
  () => {
    /** The same rule holds on request (max_age set by hand): reads start the runs here. */
    const onRequest = slowCheck({ intervalMs: null });

    it(
      'a slow background run keeps the previous result counting until its timeout',
      {
        timeout: 10_000,
      },
      async () => {
        const time = clock();
        const runs = manualRuns(time.now);
        const { logger, messages } = logLines();
        // The interval is real time (a short one); ages and timeouts are on the test's clock.
        const runner = createRunner(slowCheck({ intervalMs: 20 }), {
          execute: runs.execute,
          logger,
          now: time.now,
        });
        try {
          runner.start();
          runs.finish();
          assert.ok(await until(() => runs.calls() === 2), 'the second run starts');
          time.advance(3_500);
          assert.equal(
            runner.snapshot().stale,
            false,
            'age 3.5 s > max_age, but a run is in flight',
          );
          runner.noticeStale();
          time.advance(6_500);
          assert.equal(runner.snapshot().stale, false, 'the run is still within its 10 s timeout');
          time.advance(1);
          assert.equal(runner.snapshot().stale, true, 'past its timeout the old result is stale');
          runner.noticeStale();
          runs.finish();
          assert.ok(await until(() => !runner.snapshot().stale), 'the new result is fresh');
          const staleLines = messages().filter((message) => /is stale/.test(message));
          assert.equal(staleLines.length, 1, 'stale logged once, only past the timeout');
        } finally {
          runner.stop();
          runs.finish();
        }
      },
    );

    it('without a run in flight, a result older than max_age is stale as before', async () => {
      const time = clock();
      const runs = manualRuns(time.now);
      const { logger } = logLines();
      const runner = createRunner(onRequest, { execute: runs.execute, logger, now: time.now });
      const first = runner.read({ bypassCache: true });
      runs.finish();
      await first;
      time.advance(3_001);
      assert.equal(runner.snapshot().stale, true);
    });

    it('a run handed over on reload keeps its start: the new runner judges it the same', async () => {
      const time = clock();
      const runs = manualRuns(time.now);
      const { logger } = logLines();
      const deps = { execute: runs.execute, logger, now: time.now };
      const old = createRunner(onRequest, deps);
      const first = old.read({ bypassCache: true });
      runs.finish();
      await first;
      time.advance(1_000);
      void old.read({ bypassCache: true });
      time.advance(4_000);
      const next = createRunner(onRequest, deps, old.snapshot().state, old.running());
      assert.equal(next.snapshot().stale, false);
      time.advance(6_001);
      assert.equal(
        next.snapshot().stale,
        true,
        'the timeout counts from the run start, not the reload',
      );
      runs.finish();
      await settle();
      assert.equal(next.snapshot().stale, false);
      assert.equal(next.running(), null);
    });
  },
);
