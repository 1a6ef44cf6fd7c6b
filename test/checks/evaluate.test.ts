import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asEpochMs } from '../../src/util/clock.js';
import { combine, evaluate, toReport } from '../../src/checks/evaluate.js';
import { createHistory } from '../../src/checks/history.js';
import type { CheckSnapshot, CheckRunner } from '../../src/checks/runner.js';
import { advance, initialState, type CheckState } from '../../src/checks/state.js';
import type { EndpointReport, Status } from '../../src/types.js';
import { definition, result } from '../support/checks.js';

const options = { bypassCache: false };

function stateOf(status: Status | 'pending'): CheckState {
  if (status === 'pending') return initialState(asEpochMs(0));
  return advance(initialState(asEpochMs(0)), result(status, 1_000), 1, 1);
}

function snapshot(
  name: string,
  status: Status | 'pending',
  extra: { critical?: boolean; stale?: boolean } = {},
): CheckSnapshot {
  return {
    definition: definition({ name, critical: extra.critical ?? true }),
    state: stateOf(status),
    stale: extra.stale ?? false,
    history: createHistory(null).view(),
  };
}

/** A runner whose read answers `answer` (synchronously or not) and counts reads. */
function fakeProbe(answer: CheckSnapshot, async = false): CheckRunner & { reads: () => number } {
  let reads = 0;
  return {
    definition: answer.definition,
    read: () => {
      reads += 1;
      return async ? Promise.resolve(answer) : answer;
    },
    snapshot: () => answer,
    history: createHistory(null),
    start: () => undefined,
    stop: () => undefined,
    running: () => null,
    noticeStale: () => undefined,
    reads: () => reads,
  };
}

const statusOf = (evaluation: EndpointReport | Promise<EndpointReport>): Status => {
  assert.ok(!(evaluation instanceof Promise));
  return evaluation.status;
};

describe('toReport', { timeout: 30_000 }, () => {
  it('reports the definition and state of a snapshot', () => {
    const passing = snapshot('web', 'pass', { critical: false });
    assert.deepEqual(toReport(passing), {
      name: 'web',
      kind: 'command',
      status: 'pass',
      critical: false,
      since: 1_000,
      last: passing.state.last,
      stale: false,
      history: [],
      changes: [],
      flap: null,
    });
  });

  it('reports a stale result as fail, and pending as pending', () => {
    assert.equal(toReport(snapshot('a', 'pass', { stale: true })).status, 'fail');
    assert.equal(toReport(snapshot('a', 'pass', { stale: true })).stale, true);
    assert.equal(toReport(snapshot('a', 'pending')).status, 'pending');
  });
});

describe('combine', { timeout: 30_000 }, () => {
  it('aggregates the reports and keeps them', () => {
    const reports = [toReport(snapshot('a', 'pass')), toReport(snapshot('b', 'warn'))];
    assert.deepEqual(combine(reports), { status: 'warn', checks: reports });
  });
});

describe('evaluate', { timeout: 30_000 }, () => {
  it('answers synchronously when every read is synchronous', () => {
    const a = snapshot('a', 'pass');
    const b = snapshot('b', 'warn');
    const evaluation = evaluate([fakeProbe(a), fakeProbe(b)], options);
    assert.ok(!(evaluation instanceof Promise));
    assert.deepEqual(evaluation, { status: 'warn', checks: [toReport(a), toReport(b)] });
  });

  it('answers with a promise when any read is asynchronous', async () => {
    const a = snapshot('a', 'pass');
    const b = snapshot('b', 'pass');
    const evaluation = evaluate([fakeProbe(a), fakeProbe(b, true)], options);
    assert.ok(evaluation instanceof Promise);
    assert.deepEqual(await evaluation, { status: 'pass', checks: [toReport(a), toReport(b)] });
  });

  it('reads every runner once, passing the options on', () => {
    const seen: unknown[] = [];
    const a = fakeProbe(snapshot('a', 'pass'));
    const spy: CheckRunner = { ...a, read: (given) => (seen.push(given), a.read(given)) };
    const b = fakeProbe(snapshot('b', 'pass'));
    evaluate([spy, b], { bypassCache: true });
    assert.deepEqual(seen, [{ bypassCache: true }]);
    assert.equal(b.reads(), 1);
  });

  it('fails on a stale result of a critical check', () => {
    const runners = [
      fakeProbe(snapshot('a', 'pass')),
      fakeProbe(snapshot('b', 'pass', { stale: true })),
    ];
    assert.equal(statusOf(evaluate(runners, options)), 'fail');
  });

  it('fails on a pending critical check', () => {
    const runners = [fakeProbe(snapshot('a', 'pass')), fakeProbe(snapshot('b', 'pending'))];
    assert.equal(statusOf(evaluate(runners, options)), 'fail');
  });

  it('only warns on a failing non-critical check', () => {
    const runners = [
      fakeProbe(snapshot('a', 'pass')),
      fakeProbe(snapshot('b', 'fail', { critical: false })),
    ];
    assert.equal(statusOf(evaluate(runners, options)), 'warn');
  });

  it('fails with no runner at all', () => {
    assert.deepEqual(evaluate([], options), { status: 'fail', checks: [] });
  });
});
