import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asEpochMs, asMonotonicMs, type MonotonicMs } from '../../src/util/clock.js';
import { setImmediate as tick } from 'node:timers/promises';
import { createRunner, type CheckSnapshot, type RunnerDeps } from '../../src/checks/runner.js';
import { advance, initialState } from '../../src/checks/state.js';
import type { CheckDefinition, RunResult, Status } from '../../src/types.js';
import { definition, result } from '../support/checks.js';
import { memoryLogger, silentLogger } from '../support/logger.js';
import { deferred, eventually } from '../support/wait.js';

const cached = { bypassCache: false };
const noCache = { bypassCache: true };

/** A clock the test moves by hand. */
function clock(start = 10_000): { now: () => MonotonicMs; advance: (ms: number) => void } {
  let time = start;
  return { now: () => asMonotonicMs(time), advance: (ms) => void (time += ms) };
}

/** An execute that answers `status` at once, finished at the clock's time, and counts its calls. */
function answering(
  status: Status | (() => Status),
  now: () => number = () => performance.now(),
): { execute: RunnerDeps['execute']; calls: () => number } {
  let calls = 0;
  const execute = (): Promise<RunResult> => {
    calls += 1;
    return Promise.resolve(result(typeof status === 'function' ? status() : status, now()));
  };
  return { execute, calls: () => calls };
}

function deps(execute: RunnerDeps['execute'], extra: Partial<RunnerDeps> = {}): RunnerDeps {
  return { execute, logger: silentLogger, ...extra };
}

async function read(
  runner: ReturnType<typeof createRunner>,
  options = cached,
): Promise<CheckSnapshot> {
  return runner.read(options);
}

describe('runner on request: single flight', { timeout: 30_000 }, () => {
  it('runs once for ten concurrent reads and gives them all the result', async () => {
    const pending = deferred<RunResult>();
    let calls = 0;
    const execute = (): Promise<RunResult> => {
      calls += 1;
      return pending.promise;
    };
    const runner = createRunner(definition(), deps(execute));
    const reads = Array.from({ length: 10 }, () => runner.read(cached));
    assert.ok(reads.every((answer) => answer instanceof Promise));
    assert.equal(calls, 1);
    pending.resolve(result('pass', 5));
    const snapshots = await Promise.all(reads);
    assert.deepEqual(
      snapshots.map((snapshot) => snapshot.state.status),
      Array(10).fill('pass'),
    );
    assert.equal(calls, 1);
  });

  it('starts a new run once the previous one has finished (no cache by default)', async () => {
    const { execute, calls } = answering('pass');
    const runner = createRunner(definition(), deps(execute));
    await read(runner);
    await read(runner);
    assert.equal(calls(), 2);
  });

  it('a read with bypassCache joins the run in flight', async () => {
    const pending = deferred<RunResult>();
    let calls = 0;
    const runner = createRunner(
      definition(),
      deps(() => {
        calls += 1;
        return pending.promise;
      }),
    );
    const first = runner.read(cached);
    const second = runner.read(noCache);
    assert.equal(calls, 1);
    pending.resolve(result('fail', 5));
    assert.equal((await first).state.status, 'fail');
    assert.equal((await second).state.status, 'fail');
  });
});

describe('runner on request: cache_pass and cache_fail', { timeout: 30_000 }, () => {
  it('reuses a pass for cache_pass, synchronously, then runs again', async () => {
    const time = clock();
    const { execute, calls } = answering('pass', time.now);
    const runner = createRunner(
      definition({ cachePassMs: 1_000 }),
      deps(execute, { now: time.now }),
    );
    await read(runner);
    time.advance(999);
    const hit = runner.read(cached);
    assert.ok(!(hit instanceof Promise), 'a cached answer is synchronous');
    assert.equal(hit.state.status, 'pass');
    assert.equal(calls(), 1);
    time.advance(1);
    const miss = runner.read(cached);
    assert.ok(miss instanceof Promise);
    await miss;
    assert.equal(calls(), 2);
  });

  it('reuses a fail for cache_fail, not for cache_pass', async () => {
    const time = clock();
    const { execute, calls } = answering('fail', time.now);
    const runner = createRunner(
      definition({ cachePassMs: 60_000, cacheFailMs: 500 }),
      deps(execute, { now: time.now }),
    );
    await read(runner);
    time.advance(499);
    assert.ok(!(runner.read(cached) instanceof Promise));
    assert.equal(calls(), 1);
    time.advance(1);
    await read(runner);
    assert.equal(calls(), 2);
  });

  it('does not cache a fail under cache_pass alone', async () => {
    const time = clock();
    const { execute, calls } = answering('fail', time.now);
    const runner = createRunner(
      definition({ cachePassMs: 60_000 }),
      deps(execute, { now: time.now }),
    );
    await read(runner);
    time.advance(1);
    await read(runner);
    assert.equal(calls(), 2);
  });

  it('bypassCache (Pragma: no-cache) skips a fresh cached pass', async () => {
    const time = clock();
    const { execute, calls } = answering('pass', time.now);
    const runner = createRunner(
      definition({ cachePassMs: 60_000 }),
      deps(execute, { now: time.now }),
    );
    await read(runner);
    const answer = runner.read(noCache);
    assert.ok(answer instanceof Promise);
    await answer;
    assert.equal(calls(), 2);
  });
});

describe('runner: max_age', { timeout: 30_000 }, () => {
  it('marks a result older than max_age stale', async () => {
    const time = clock(1_000);
    const { execute } = answering('pass', time.now);
    const runner = createRunner(definition({ maxAgeMs: 100 }), deps(execute, { now: time.now }));
    assert.equal(runner.snapshot().stale, false, 'no result yet: pending, not stale');
    await read(runner);
    time.advance(100);
    assert.equal(runner.snapshot().stale, false);
    time.advance(1);
    assert.equal(runner.snapshot().stale, true);
    assert.equal(runner.snapshot().state.status, 'pass', 'the state itself is kept');
  });

  it('never marks a result stale without max_age', async () => {
    const time = clock(1_000);
    const { execute } = answering('pass', time.now);
    const runner = createRunner(definition({ maxAgeMs: null }), deps(execute, { now: time.now }));
    await read(runner);
    time.advance(365 * 86_400_000);
    assert.equal(runner.snapshot().stale, false);
  });
});

describe('runner: state', { timeout: 30_000 }, () => {
  it('starts pending since its creation', () => {
    const before = Date.now();
    const runner = createRunner(definition(), deps(answering('pass').execute));
    const { state } = runner.snapshot();
    assert.equal(state.status, 'pending');
    assert.equal(state.last, null);
    assert.ok(state.since >= before && state.since <= Date.now(), `since ${state.since}`);
  });

  it('carries the state given as `previous` and applies rise/fall from it', async () => {
    const passing = advance(initialState(asEpochMs(0)), result('pass', -1_000), 1, 1);
    const { execute } = answering('fail');
    const runner = createRunner(definition({ fall: 2 }), deps(execute), passing);
    assert.equal(runner.snapshot().state, passing);
    assert.equal((await read(runner)).state.status, 'pass', 'one failure of fall 2');
    assert.equal((await read(runner)).state.status, 'fail');
  });

  it('turns a rejected run into a failure and runs again on the next read', {}, async () => {
    let calls = 0;
    const execute = (): Promise<RunResult> => {
      calls += 1;
      return calls === 1
        ? Promise.reject(new Error('spawn E2BIG'))
        : Promise.resolve(result('pass'));
    };
    const runner = createRunner(definition(), deps(execute));
    await read(runner).then(
      (snapshot) => assert.equal(snapshot.state.status, 'fail'),
      () => undefined,
    );
    const second = await read(runner);
    assert.equal(calls, 2);
    assert.equal(second.state.status, 'pass');
  });
});

describe('runner in background mode', { timeout: 30_000 }, () => {
  const background = (overrides: Partial<CheckDefinition> = {}): CheckDefinition =>
    definition({ intervalMs: 50, ...overrides });

  it('answers synchronously, pending before the first result', () => {
    const runner = createRunner(background(), deps(answering('pass').execute));
    const answer = runner.read(cached);
    assert.ok(!(answer instanceof Promise));
    assert.equal(answer.state.status, 'pending');
    assert.ok(!(runner.read(noCache) instanceof Promise), 'bypassCache never waits either');
  });

  it('runs at start, then every interval, until stop()', async () => {
    const { execute, calls } = answering('pass');
    const runner = createRunner(background(), deps(execute, { random: () => 0 }));
    runner.start();
    assert.equal(calls(), 1, 'the first run starts at once');
    assert.ok(await eventually(() => calls() >= 4), `ran ${calls()} times`);
    const answer = runner.read(cached);
    assert.ok(!(answer instanceof Promise));
    assert.equal(answer.state.status, 'pass');
    runner.stop();
    const stoppedAt = calls();
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(calls(), stoppedAt, 'no run after stop()');
  });

  it('waits interval x (1 - 0.1 x random) between runs', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { execute, calls } = answering('pass');
    const runner = createRunner(
      background({ intervalMs: 1_000 }),
      deps(execute, { random: () => 1 }),
    );
    runner.start();
    await tick();
    assert.equal(calls(), 1);
    t.mock.timers.tick(899);
    assert.equal(calls(), 1);
    t.mock.timers.tick(1);
    assert.equal(calls(), 2);
    await tick();
    t.mock.timers.tick(900);
    assert.equal(calls(), 3);
    runner.stop();
  });

  it('does not run in the background without an interval', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { execute, calls } = answering('pass');
    const runner = createRunner(definition(), deps(execute));
    runner.start();
    await tick();
    t.mock.timers.tick(3_600_000);
    assert.equal(calls(), 0);
    runner.stop();
  });

  it('reports a background result older than max_age as stale', async () => {
    const time = clock(1_000);
    const { execute } = answering('pass', time.now);
    const runner = createRunner(
      background({ intervalMs: 60_000, maxAgeMs: 180_000 }),
      deps(execute, { now: time.now }),
    );
    runner.start();
    await tick();
    runner.stop();
    time.advance(180_001);
    const answer = runner.read(cached) as CheckSnapshot;
    assert.equal(answer.state.status, 'pass');
    assert.equal(answer.stale, true);
  });
});

describe('runner: logging', { timeout: 30_000 }, () => {
  it('logs each state change once, at info for pass and warn otherwise, with the output', async () => {
    const { logger, lines } = memoryLogger('info');
    const statuses: Status[] = ['pass', 'pass', 'fail', 'fail'];
    let calls = 0;
    const execute = (): Promise<RunResult> => {
      const status = statuses[calls] ?? 'fail';
      calls += 1;
      return Promise.resolve(result(status, calls, `output ${calls}`));
    };
    const runner = createRunner(definition({ name: 'web' }), deps(execute, { logger }));
    for (let i = 0; i < statuses.length; i += 1) await read(runner);
    assert.deepEqual(
      lines().map(({ level, msg, check, from, to, output }) => ({
        level,
        msg,
        check,
        from,
        to,
        output,
      })),
      [
        {
          level: 30,
          msg: 'check web is now pass',
          check: 'web',
          from: 'pending',
          to: 'pass',
          output: 'output 1',
        },
        {
          level: 40,
          msg: 'check web is now fail',
          check: 'web',
          from: 'pass',
          to: 'fail',
          output: 'output 3',
        },
      ],
    );
  });

  it('logs a run that changes nothing at debug', async () => {
    const { logger, lines } = memoryLogger('debug');
    const runner = createRunner(definition(), deps(answering('pass').execute, { logger }));
    await read(runner);
    await read(runner);
    assert.deepEqual(
      lines().map(({ level, msg }) => [level, msg]),
      [
        [30, 'check db is now pass'],
        [20, 'check ran'],
      ],
    );
  });
});
