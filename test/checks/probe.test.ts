import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { createProbe, type CheckSnapshot, type ProbeDeps } from '../../src/checks/probe.js';
import { advance, initialState } from '../../src/checks/state.js';
import type { CheckDefinition, RunResult, Status } from '../../src/types.js';
import {
  deferred,
  definition,
  eventually,
  memoryLogger,
  result,
  silentLogger,
} from '../support/checks.js';

const cached = { bypassCache: false };
const noCache = { bypassCache: true };

/** A clock the test moves by hand. */
function clock(start = 10_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

/** An execute that answers `status` at once, finished at the clock's time, and counts its calls. */
function answering(
  status: Status | (() => Status),
  now: () => number = Date.now,
): { execute: ProbeDeps['execute']; calls: () => number } {
  let calls = 0;
  const execute = (): Promise<RunResult> => {
    calls += 1;
    return Promise.resolve(result(typeof status === 'function' ? status() : status, now()));
  };
  return { execute, calls: () => calls };
}

function deps(execute: ProbeDeps['execute'], extra: Partial<ProbeDeps> = {}): ProbeDeps {
  return { execute, logger: silentLogger, ...extra };
}

async function read(
  probe: ReturnType<typeof createProbe>,
  options = cached,
): Promise<CheckSnapshot> {
  return probe.read(options);
}

describe('probe on request: single flight', () => {
  it('runs once for ten concurrent reads and gives them all the result', async () => {
    const pending = deferred<RunResult>();
    let calls = 0;
    const execute = (): Promise<RunResult> => {
      calls += 1;
      return pending.promise;
    };
    const probe = createProbe(definition(), deps(execute));
    const reads = Array.from({ length: 10 }, () => probe.read(cached));
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
    const probe = createProbe(definition(), deps(execute));
    await read(probe);
    await read(probe);
    assert.equal(calls(), 2);
  });

  it('a read with bypassCache joins the run in flight', async () => {
    const pending = deferred<RunResult>();
    let calls = 0;
    const probe = createProbe(
      definition(),
      deps(() => {
        calls += 1;
        return pending.promise;
      }),
    );
    const first = probe.read(cached);
    const second = probe.read(noCache);
    assert.equal(calls, 1);
    pending.resolve(result('fail', 5));
    assert.equal((await first).state.status, 'fail');
    assert.equal((await second).state.status, 'fail');
  });
});

describe('probe on request: cache_pass and cache_fail', () => {
  it('reuses a pass for cache_pass, synchronously, then runs again', async () => {
    const time = clock();
    const { execute, calls } = answering('pass', time.now);
    const probe = createProbe(definition({ cachePassMs: 1_000 }), deps(execute, { now: time.now }));
    await read(probe);
    time.advance(999);
    const hit = probe.read(cached);
    assert.ok(!(hit instanceof Promise), 'a cached answer is synchronous');
    assert.equal(hit.state.status, 'pass');
    assert.equal(calls(), 1);
    time.advance(1);
    const miss = probe.read(cached);
    assert.ok(miss instanceof Promise);
    await miss;
    assert.equal(calls(), 2);
  });

  it('reuses a fail for cache_fail, not for cache_pass', async () => {
    const time = clock();
    const { execute, calls } = answering('fail', time.now);
    const probe = createProbe(
      definition({ cachePassMs: 60_000, cacheFailMs: 500 }),
      deps(execute, { now: time.now }),
    );
    await read(probe);
    time.advance(499);
    assert.ok(!(probe.read(cached) instanceof Promise));
    assert.equal(calls(), 1);
    time.advance(1);
    await read(probe);
    assert.equal(calls(), 2);
  });

  it('does not cache a fail under cache_pass alone', async () => {
    const time = clock();
    const { execute, calls } = answering('fail', time.now);
    const probe = createProbe(
      definition({ cachePassMs: 60_000 }),
      deps(execute, { now: time.now }),
    );
    await read(probe);
    time.advance(1);
    await read(probe);
    assert.equal(calls(), 2);
  });

  it('bypassCache (Pragma: no-cache) skips a fresh cached pass', async () => {
    const time = clock();
    const { execute, calls } = answering('pass', time.now);
    const probe = createProbe(
      definition({ cachePassMs: 60_000 }),
      deps(execute, { now: time.now }),
    );
    await read(probe);
    const answer = probe.read(noCache);
    assert.ok(answer instanceof Promise);
    await answer;
    assert.equal(calls(), 2);
  });
});

describe('probe: max_age', () => {
  it('marks a result older than max_age stale', async () => {
    const time = clock(1_000);
    const { execute } = answering('pass', time.now);
    const probe = createProbe(definition({ maxAgeMs: 100 }), deps(execute, { now: time.now }));
    assert.equal(probe.snapshot().stale, false, 'no result yet: pending, not stale');
    await read(probe);
    time.advance(100);
    assert.equal(probe.snapshot().stale, false);
    time.advance(1);
    assert.equal(probe.snapshot().stale, true);
    assert.equal(probe.snapshot().state.status, 'pass', 'the state itself is kept');
  });

  it('never marks a result stale without max_age', async () => {
    const time = clock(1_000);
    const { execute } = answering('pass', time.now);
    const probe = createProbe(definition({ maxAgeMs: null }), deps(execute, { now: time.now }));
    await read(probe);
    time.advance(365 * 86_400_000);
    assert.equal(probe.snapshot().stale, false);
  });
});

describe('probe: state', () => {
  it('starts pending since its creation', () => {
    const probe = createProbe(definition(), deps(answering('pass').execute, { now: () => 77 }));
    assert.deepEqual(probe.snapshot().state, initialState(77));
  });

  it('carries the state given as `previous` and applies rise/fall from it', async () => {
    const passing = advance(initialState(0), result('pass', 500), 1, 1);
    const { execute } = answering('fail');
    const probe = createProbe(definition({ fall: 2 }), deps(execute), passing);
    assert.equal(probe.snapshot().state, passing);
    assert.equal((await read(probe)).state.status, 'pass', 'one failure of fall 2');
    assert.equal((await read(probe)).state.status, 'fail');
  });

  it('turns a rejected run into a failure and runs again on the next read', {}, async () => {
    let calls = 0;
    const execute = (): Promise<RunResult> => {
      calls += 1;
      return calls === 1
        ? Promise.reject(new Error('spawn E2BIG'))
        : Promise.resolve(result('pass'));
    };
    const probe = createProbe(definition(), deps(execute));
    await read(probe).then(
      (snapshot) => assert.equal(snapshot.state.status, 'fail'),
      () => undefined,
    );
    const second = await read(probe);
    assert.equal(calls, 2);
    assert.equal(second.state.status, 'pass');
  });
});

describe('probe in background mode', () => {
  const background = (overrides: Partial<CheckDefinition> = {}): CheckDefinition =>
    definition({ intervalMs: 50, ...overrides });

  it('answers synchronously, pending before the first result', () => {
    const probe = createProbe(background(), deps(answering('pass').execute));
    const answer = probe.read(cached);
    assert.ok(!(answer instanceof Promise));
    assert.equal(answer.state.status, 'pending');
    assert.ok(!(probe.read(noCache) instanceof Promise), 'bypassCache never waits either');
  });

  it('runs at start, then every interval, until stop()', async () => {
    const { execute, calls } = answering('pass');
    const probe = createProbe(background(), deps(execute, { random: () => 0 }));
    probe.start();
    assert.equal(calls(), 1, 'the first run starts at once');
    assert.ok(await eventually(() => calls() >= 4, 5_000), `ran ${calls()} times`);
    const answer = probe.read(cached);
    assert.ok(!(answer instanceof Promise));
    assert.equal(answer.state.status, 'pass');
    probe.stop();
    const stoppedAt = calls();
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(calls(), stoppedAt, 'no run after stop()');
  });

  it('waits interval x (1 - 0.1 x random) between runs', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { execute, calls } = answering('pass');
    const probe = createProbe(
      background({ intervalMs: 1_000 }),
      deps(execute, { random: () => 1 }),
    );
    probe.start();
    await tick();
    assert.equal(calls(), 1);
    t.mock.timers.tick(899);
    assert.equal(calls(), 1);
    t.mock.timers.tick(1);
    assert.equal(calls(), 2);
    await tick();
    t.mock.timers.tick(900);
    assert.equal(calls(), 3);
    probe.stop();
  });

  it('does not run in the background without an interval', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { execute, calls } = answering('pass');
    const probe = createProbe(definition(), deps(execute));
    probe.start();
    await tick();
    t.mock.timers.tick(3_600_000);
    assert.equal(calls(), 0);
    probe.stop();
  });

  it('reports a background result older than max_age as stale', async () => {
    const time = clock(1_000);
    const { execute } = answering('pass', time.now);
    const probe = createProbe(
      background({ intervalMs: 60_000, maxAgeMs: 180_000 }),
      deps(execute, { now: time.now }),
    );
    probe.start();
    await tick();
    probe.stop();
    time.advance(180_001);
    const answer = probe.read(cached) as CheckSnapshot;
    assert.equal(answer.state.status, 'pass');
    assert.equal(answer.stale, true);
  });
});

describe('probe: logging', () => {
  it('logs each state change once, at info for pass and warn otherwise, with the output', async () => {
    const { logger, lines } = memoryLogger('info');
    const statuses: Status[] = ['pass', 'pass', 'fail', 'fail'];
    let calls = 0;
    const execute = (): Promise<RunResult> => {
      const status = statuses[calls] ?? 'fail';
      calls += 1;
      return Promise.resolve(result(status, calls, `output ${calls}`));
    };
    const probe = createProbe(definition({ name: 'web' }), deps(execute, { logger }));
    for (let i = 0; i < statuses.length; i += 1) await read(probe);
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
    const probe = createProbe(definition(), deps(answering('pass').execute, { logger }));
    await read(probe);
    await read(probe);
    assert.deepEqual(
      lines().map(({ level, msg }) => [level, msg]),
      [
        [30, 'check db is now pass'],
        [20, 'check ran'],
      ],
    );
  });
});
