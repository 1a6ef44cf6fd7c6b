import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  changeOutputChars,
  createHistory,
  historyLength,
  resultOutputChars,
  type CheckHistory,
  type FlapEvent,
} from '../../src/checks/history.js';
import { advance, initialState, type CheckState } from '../../src/checks/state.js';
import type { RunResult } from '../../src/types.js';
import { asEpochMs } from '../../src/util/clock.js';
import { result, run } from '../support/checks.js';

/** Feeds results to a history as a runner does (rise = fall = 1), returning the flap events. */
function feed(history: CheckHistory, results: readonly RunResult[], start?: CheckState) {
  let state = start ?? initialState(asEpochMs(0));
  const events: FlapEvent[] = [];
  for (const next of results) {
    const before = state;
    state = advance(state, next, 1, 1);
    events.push(history.record(next, before, state));
  }
  return { state, events: events.filter((event) => event !== null) };
}

const alternating = (count: number): RunResult[] =>
  Array.from({ length: count }, (_, i) =>
    result(i % 2 === 0 ? 'pass' : 'fail', 1_000 * (i + 1), `run ${i}`),
  );

describe('createHistory: results and state changes', { timeout: 10_000 }, () => {
  it('keeps each result: status, time, duration, exit code, HTTP status, first line', () => {
    const history = createHistory(null);
    const ran = run({
      status: 'fail',
      exitCode: null,
      httpStatus: 503,
      durationMs: 12.5,
      time: asEpochMs(5_000),
      output: '\n  Service Unavailable  \nbody line two\n',
    });
    feed(history, [ran]);
    assert.deepEqual(history.view().results, [
      {
        status: 'fail',
        time: 5_000,
        durationMs: 12.5,
        exitCode: null,
        httpStatus: 503,
        signal: null,
        timedOut: false,
        output: 'Service Unavailable',
      },
    ]);
  });

  it('keeps a change with from, to, when and the whole output that caused it', () => {
    const history = createHistory(null);
    feed(history, [result('pass', 1_000, 'ok'), result('fail', 2_000, 'refused\nline 2')]);
    assert.deepEqual(history.view().changes, [
      { from: 'pending', to: 'pass', time: 1_000, output: 'ok' },
      { from: 'pass', to: 'fail', time: 2_000, output: 'refused\nline 2' },
    ]);
  });

  it('records no change when the state stays (rise/fall holding it counts as staying)', () => {
    const history = createHistory(null);
    let state = advance(initialState(asEpochMs(0)), result('pass', 1_000), 1, 1);
    const before = state;
    state = advance(state, result('fail', 2_000), 1, 3);
    history.record(result('fail', 2_000), before, state);
    assert.equal(state.status, 'pass');
    assert.equal(history.view().changes.length, 0);
    assert.equal(history.view().results.length, 1);
  });

  it(`keeps the last ${historyLength} results and changes, oldest first`, () => {
    const history = createHistory(null);
    feed(history, alternating(100));
    const { results, changes } = history.view();
    assert.equal(results.length, historyLength);
    assert.equal(changes.length, historyLength);
    assert.equal(results[0]?.output, 'run 80');
    assert.equal(results.at(-1)?.output, 'run 99');
    assert.deepEqual(
      changes.map((change) => change.time),
      Array.from({ length: 20 }, (_, i) => 1_000 * (81 + i)),
    );
  });

  it('cuts a first line and a change output to their bounds', () => {
    const history = createHistory(null);
    const long = 'x'.repeat(5_000);
    feed(history, [result('fail', 1_000, long)]);
    const view = history.view();
    assert.equal(view.results[0]?.output.length, resultOutputChars);
    assert.ok(view.results[0]?.output.endsWith('…'));
    assert.equal(view.changes[0]?.output.length, changeOutputChars);
  });

  it('gives the same view object until the next result (answers read it per request)', () => {
    const history = createHistory(null);
    feed(history, [result('pass')]);
    const first = history.view();
    assert.equal(history.view(), first);
    feed(history, [result('pass')], advance(initialState(asEpochMs(0)), result('pass'), 1, 1));
    assert.notEqual(history.view(), first);
  });
});

describe('createHistory: flapping', { timeout: 10_000 }, () => {
  it('has no flap report without flap_threshold, and no events', () => {
    const history = createHistory(null);
    assert.deepEqual(feed(history, alternating(30)).events, []);
    assert.equal(history.view().flap, null);
  });

  it('starts flapping once, when the percent state change passes the threshold', () => {
    const history = createHistory(30);
    const { events } = feed(history, alternating(21));
    assert.equal(events.length, 1);
    assert.equal(events[0]?.kind, 'started');
    assert.ok((events[0]?.percent ?? 0) > 30);
    assert.deepEqual(history.view().flap, {
      percent: 100,
      flapping: true,
      thresholdPercent: 30,
      stopBelowPercent: 22.5,
    });
  });

  it('stops flapping once, when calm results bring it below three quarters of the threshold', () => {
    const history = createHistory(30);
    const { state } = feed(history, alternating(21));
    const calm = Array.from({ length: 21 }, (_, i) => result('pass', 100_000 + i * 1_000));
    const { events } = feed(history, calm, state);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.kind, 'stopped');
    assert.ok((events[0]?.percent ?? 100) < 22.5);
    assert.equal(history.view().flap?.flapping, false);
    assert.equal(history.view().flap?.percent, 0);
  });

  it('judges raw results: a check held by fall still flaps', () => {
    const history = createHistory(30);
    let state = advance(initialState(asEpochMs(0)), result('pass'), 1, 1);
    for (let i = 0; i < 21; i += 1) {
      const next = result(i % 2 === 0 ? 'fail' : 'pass', 2_000 + i);
      const before = state;
      state = advance(state, next, 1, 5);
      history.record(next, before, state);
    }
    assert.equal(state.status, 'pass');
    assert.equal(history.view().flap?.flapping, true);
  });
});
