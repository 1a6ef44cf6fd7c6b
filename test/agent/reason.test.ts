import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failReason } from '../../src/agent/reason.js';
import type { EndpointReport } from '../../src/types.js';
import { check, run } from '../support/checks.js';

function failing(...checks: EndpointReport['checks']): EndpointReport {
  return { status: 'fail', checks };
}

describe('failReason', { timeout: 30_000 }, () => {
  it('names the first failing check and its output first line', () => {
    const report = failing(
      check('web', 'pass'),
      check('db', 'fail', {
        last: run({ status: 'fail', exitCode: 2, output: '\n  lag 45 s\nmore\n' }),
      }),
      check('cache', 'fail'),
    );
    assert.equal(failReason(report, true), 'db: lag 45 s');
  });

  it('prefers a critical failure to a non-critical one listed first', () => {
    const report = failing(check('soft', 'fail', { critical: false }), check('hard', 'fail'));
    assert.equal(failReason(report, true), 'hard: failed (exit 2)');
  });

  it('keeps the output home when expose_output = false', () => {
    const last = run({ status: 'fail', exitCode: 1, output: 'password=hunter2' });
    assert.equal(failReason(failing(check('db', 'fail', { last })), false), 'db: failed (exit 1)');
  });

  it('explains pending, stale, timed out, signals and HTTP statuses', () => {
    assert.equal(failReason(failing(check('a', 'pending')), true), 'a: no result yet');
    assert.equal(
      failReason(failing(check('a', 'fail', { stale: true, last: run() })), true),
      'a: last result older than max_age',
    );
    const timedOut = run({ status: 'fail', exitCode: null, timedOut: true, output: 'partial' });
    assert.equal(failReason(failing(check('a', 'fail', { last: timedOut })), true), 'a: timed out');
    const killed = run({ status: 'fail', exitCode: null, signal: 'SIGKILL' });
    assert.equal(
      failReason(failing(check('a', 'fail', { last: killed })), true),
      'a: killed by SIGKILL',
    );
    const http = check('api', 'fail', {
      kind: 'http',
      last: run({ status: 'fail', exitCode: null, httpStatus: 503 }),
    });
    assert.equal(failReason(failing(http), true), 'api: failed (HTTP 503)');
  });

  it('says so when there is no check at all', () => {
    assert.equal(failReason(failing(), true), 'no checks configured');
  });
});
