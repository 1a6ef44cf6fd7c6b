import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkEntry } from '../../src/http/health-json.js';
import type { CheckReport, HistoryResult, StateChange } from '../../src/types.js';
import { asEpochMs } from '../../src/util/clock.js';
import { check } from '../support/checks.js';

const at = Date.UTC(2026, 10, 29, 3, 12, 0);

const past = (overrides: Partial<HistoryResult> = {}): HistoryResult => ({
  status: 'fail',
  time: asEpochMs(at),
  durationMs: 12.34,
  exitCode: 2,
  httpStatus: null,
  signal: null,
  timedOut: false,
  output: 'replica lag 42 s',
  ...overrides,
});

const change: StateChange = {
  from: 'pass',
  to: 'fail',
  time: asEpochMs(at),
  output: 'replica lag 42 s\nthreshold 30 s',
};

const withHistory = (overrides: Partial<CheckReport> = {}): CheckReport =>
  check('db', 'fail', { history: [past()], changes: [change], ...overrides });

describe('health+json: history, changes, flapping', { timeout: 10_000 }, () => {
  it('carries each past result with an ISO time and its first line', () => {
    assert.deepEqual(checkEntry(withHistory(), true).history, [
      {
        status: 'fail',
        time: '2026-11-29T03:12:00.000Z',
        durationMs: 12.3,
        exitCode: 2,
        output: 'replica lag 42 s',
      },
    ]);
  });

  it('carries each state change: from, to, ISO time and the output behind it', () => {
    assert.deepEqual(checkEntry(withHistory(), true).changes, [
      {
        from: 'pass',
        to: 'fail',
        time: '2026-11-29T03:12:00.000Z',
        output: 'replica lag 42 s\nthreshold 30 s',
      },
    ]);
  });

  it('gives HTTP checks their status code, and says timed out and signals', () => {
    const http = withHistory({
      kind: 'http',
      history: [
        past({ exitCode: null, httpStatus: 503 }),
        past({ timedOut: true, exitCode: null }),
      ],
    });
    const [first, second] = checkEntry(http, true).history;
    assert.equal(first?.httpStatus, 503);
    assert.equal(second?.timedOut, true);
    const killed = withHistory({ history: [past({ signal: 'SIGKILL', exitCode: null })] });
    assert.equal(checkEntry(killed, true).history[0]?.signal, 'SIGKILL');
    assert.equal('httpStatus' in (checkEntry(killed, true).history[0] ?? {}), false);
  });

  it('keeps every output home with expose_output = false', () => {
    const entry = checkEntry(withHistory(), false);
    assert.doesNotMatch(JSON.stringify(entry), /replica lag/);
    assert.equal(entry.changes[0]?.to, 'fail');
    assert.equal(entry.history[0]?.status, 'fail');
  });

  it('is empty for a check that has not run', () => {
    const entry = checkEntry(check('new', 'pending'), true);
    assert.deepEqual([entry.history, entry.changes], [[], []]);
  });

  it('says flapping and the percent state change only with flap_threshold', () => {
    assert.equal('flapping' in checkEntry(withHistory(), true), false);
    assert.equal('percentStateChange' in checkEntry(withHistory(), true), false);
    const flap = { percent: 42.5, flapping: true, thresholdPercent: 20, stopBelowPercent: 15 };
    const entry = checkEntry(withHistory({ flap }), true);
    assert.equal(entry.flapping, true);
    assert.equal(entry.percentStateChange, 42.5);
    const calm = checkEntry(withHistory({ flap: { ...flap, flapping: false, percent: 0 } }), true);
    assert.equal(calm.flapping, false);
  });
});
