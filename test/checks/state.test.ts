import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asEpochMs } from '../../src/util/clock.js';
import {
  advance,
  initialState,
  type CheckState,
  type CheckStatus,
} from '../../src/checks/state.js';
import type { Status } from '../../src/types.js';
import { result } from '../support/checks.js';

/** Feeds `statuses` one a second (endedAt 1000, 2000, ...) and returns every state. */
function feed(
  statuses: readonly Status[],
  rise: number,
  fall: number,
  start: CheckState = initialState(asEpochMs(0)),
): CheckState[] {
  const states: CheckState[] = [];
  let state = start;
  statuses.forEach((status, i) => {
    state = advance(state, result(status, (i + 1) * 1000), rise, fall);
    states.push(state);
  });
  return states;
}

const statusesOf = (states: readonly CheckState[]): CheckStatus[] => states.map((s) => s.status);

/** A state that is already `status`, reached at time 0. */
function settled(status: Status): CheckState {
  const state = advance(initialState(asEpochMs(0)), result(status, 0), 1, 1);
  assert.equal(state.status, status);
  return state;
}

describe('initialState', { timeout: 30_000 }, () => {
  it('is pending since the given time, with no result', () => {
    const state = initialState(asEpochMs(42));
    assert.equal(state.status, 'pending');
    assert.equal(state.since, 42);
    assert.equal(state.last, null);
  });
});

describe('advance from pending', { timeout: 30_000 }, () => {
  it('turns fail at the first failure, whatever fall is', () => {
    assert.deepEqual(statusesOf(feed(['fail'], 1, 3)), ['fail']);
  });

  it('needs `rise` passes to turn pass', () => {
    assert.deepEqual(statusesOf(feed(['pass', 'pass', 'pass'], 3, 1)), [
      'pending',
      'pending',
      'pass',
    ]);
  });

  it('turns pass at the first pass with rise 1', () => {
    assert.deepEqual(statusesOf(feed(['pass'], 1, 1)), ['pass']);
  });

  it('needs `rise` non-failing results to turn warn', () => {
    assert.deepEqual(statusesOf(feed(['warn', 'warn'], 2, 1)), ['pending', 'warn']);
  });

  it('keeps the last result while pending', () => {
    const [state] = feed(['pass'], 2, 1);
    assert.equal(state?.last?.status, 'pass');
    assert.equal(state?.last?.endedAt, 1000);
  });
});

describe('advance with fall (getting worse)', { timeout: 30_000 }, () => {
  it('pass turns fail after `fall` consecutive failures', () => {
    const states = feed(['fail', 'fail', 'fail'], 1, 3, settled('pass'));
    assert.deepEqual(statusesOf(states), ['pass', 'pass', 'fail']);
  });

  it('a pass in between restarts the count', () => {
    const states = feed(['fail', 'fail', 'pass', 'fail', 'fail', 'fail'], 1, 3, settled('pass'));
    assert.deepEqual(statusesOf(states), ['pass', 'pass', 'pass', 'pass', 'pass', 'fail']);
  });

  it('pass turns warn after `fall` consecutive warnings', () => {
    const states = feed(['warn', 'warn'], 1, 2, settled('pass'));
    assert.deepEqual(statusesOf(states), ['pass', 'warn']);
  });

  it('warn turns fail after `fall` consecutive failures', () => {
    const states = feed(['fail', 'fail'], 1, 2, settled('warn'));
    assert.deepEqual(statusesOf(states), ['warn', 'fail']);
  });
});

describe('advance with rise (getting better)', { timeout: 30_000 }, () => {
  it('fail turns pass after `rise` consecutive passes', () => {
    const states = feed(['pass', 'pass', 'fail', 'pass', 'pass'], 2, 1, settled('fail'));
    assert.deepEqual(statusesOf(states), ['fail', 'pass', 'fail', 'fail', 'pass']);
  });

  it('fail turns warn after `rise` consecutive non-failing results', () => {
    const states = feed(['warn', 'warn'], 2, 1, settled('fail'));
    assert.deepEqual(statusesOf(states), ['fail', 'warn']);
  });

  it('warn turns pass after `rise` consecutive passes', () => {
    const states = feed(['pass', 'pass'], 2, 1, settled('warn'));
    assert.deepEqual(statusesOf(states), ['warn', 'pass']);
  });

  it('with rise 1 and fall 1 follows every result', () => {
    const states = feed(['pass', 'warn', 'fail', 'warn', 'pass', 'fail'], 1, 1);
    assert.deepEqual(statusesOf(states), ['pass', 'warn', 'fail', 'warn', 'pass', 'fail']);
  });
});

describe('advance: since', { timeout: 30_000 }, () => {
  it('changes to the finishing time of the result that changed the state, and only then', () => {
    const states = feed(['pass', 'pass', 'pass', 'fail', 'fail'], 2, 2);
    assert.deepEqual(
      states.map((state) => [state.status, state.since]),
      [
        ['pending', 0],
        ['pass', 2000],
        ['pass', 2000],
        ['pass', 2000],
        ['fail', 5000],
      ],
    );
  });

  it('always records the latest result as `last`', () => {
    const states = feed(['pass', 'fail'], 1, 5);
    assert.equal(states[1]?.status, 'pass');
    assert.equal(states[1]?.last?.status, 'fail');
    assert.equal(states[1]?.last?.endedAt, 2000);
  });

  it('does not change the state it is given', () => {
    const before = initialState(asEpochMs(0));
    const copy = structuredClone(before);
    advance(before, result('pass', 1000), 1, 1);
    assert.deepEqual(before, copy);
  });
});
