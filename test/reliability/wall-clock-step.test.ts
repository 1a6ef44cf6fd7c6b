import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createExecutor } from '../../src/checks/execute.js';
import { createLimiter } from '../../src/checks/limiter.js';
import { createProcessTracker } from '../../src/checks/process-tracker.js';
import { createRunner } from '../../src/checks/runner.js';
import type { CheckDefinition } from '../../src/types.js';
import { asMonotonicMs, monotonicNow } from '../../src/util/clock.js';

/**
 * Every duration is on the monotonic clock: with the wall clock stepping a day forward and
 * back between any two readings (NTP, a VM resumed, an operator's `date -s`), no timeout,
 * slot wait, cache lifetime or age changes, and so no verdict does.
 */

const day = 86_400_000;

function check(overrides: Partial<CheckDefinition>): CheckDefinition {
  return {
    name: 'clock',
    kind: 'command',
    target: 'sleep 0.3',
    timeoutMs: 5_000,
    intervalMs: null,
    maxAgeMs: null,
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

describe(
  'a wall clock that steps a day forward and back changes no verdict',
  { timeout: 120_000 },
  () => {
    const realNow = Date.now;
    let readings = 0;
    before(() => {
      Date.now = () => {
        readings += 1;
        return realNow() + (readings % 2 === 0 ? day : -day);
      };
    });
    after(() => {
      Date.now = realNow;
    });
    const silent = pino({ level: 'silent' });
    const executor = (slots = 2) =>
      createExecutor({
        shell: '/bin/sh',
        limiter: createLimiter(slots),
        tracker: createProcessTracker(),
        direct: null,
      });

    it(
      'a command within its timeout passes; one past it times out at its timeout',
      {
        timeout: 20_000,
      },
      async () => {
        const execute = executor();
        const within = await execute(check({ timeoutMs: 5_000 }));
        assert.equal(within.status, 'pass', within.output);
        const started = monotonicNow();
        const past = await execute(check({ target: 'sleep 5', timeoutMs: 300 }));
        const took = monotonicNow() - started;
        assert.equal(past.timedOut, true);
        assert.ok(took >= 290 && took < 4_000, `timed out after ${took} ms`);
      },
    );

    it(
      'a wait for a max_concurrent slot ends at the slot, not at a stepped deadline',
      {
        timeout: 20_000,
      },
      async () => {
        const limiter = createLimiter(1);
        const held = await limiter.acquire(asMonotonicMs(monotonicNow() + 1_000));
        assert.ok(held);
        const waiting = limiter.acquire(asMonotonicMs(monotonicNow() + 3_000));
        setTimeout(held, 200);
        const granted = await waiting;
        assert.ok(granted, 'the slot came within the deadline');
        granted();
      },
    );

    it(
      'a cached pass is reused for cache_pass, and a result ages by the monotonic clock',
      {
        timeout: 20_000,
      },
      async () => {
        const execute = executor();
        let runs = 0;
        const runner = createRunner(
          check({ target: 'true', cachePassMs: 60_000, maxAgeMs: 60_000 }),
          {
            execute: (definition) => {
              runs += 1;
              return execute(definition);
            },
            logger: silent,
          },
        );
        await runner.read({ bypassCache: false });
        for (let read = 0; read < 5; read += 1) {
          const snapshot = await runner.read({ bypassCache: false });
          assert.equal(snapshot.state.status, 'pass');
          assert.equal(snapshot.stale, false);
        }
        assert.equal(runs, 1, 'answered from the cache every time');
      },
    );
  },
);
