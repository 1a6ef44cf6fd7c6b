/** `healthcheckd check`'s lines: a reason on every line that is not PASS, a total that reads. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatReport } from '../../src/cli/format-check.js';
import type { CheckReport, Status } from '../../src/types.js';
import { check, run } from '../support/checks.js';

const report = (status: Status, ...checks: CheckReport[]) => formatReport({ status, checks });

describe('formatReport', { timeout: 5_000 }, () => {
  it('gives a failing command its exit code, also when it printed nothing', () => {
    const text = report(
      'fail',
      check('quiet', 'fail', { last: run({ status: 'fail', exitCode: 3 }) }),
      check('loud', 'warn', { last: run({ status: 'warn', exitCode: 1, output: '\nlag 12 s\n' }) }),
      check('ok', 'pass', { last: run({ output: 'fine' }) }),
    );
    assert.match(text, /^quiet {2}FAIL  +1 ms {2}exit 3$/m);
    assert.match(text, /^loud {3}WARN  +1 ms {2}exit 1: lag 12 s$/m);
    assert.match(text, /^ok +PASS +1 ms {2}fine$/m);
    assert.match(text, /^total {2}FAIL {2}2 of 3 checks not passing$/m);
  });

  it('says killed by a signal, timed out, stale, not run, and the HTTP status', () => {
    const text = report(
      'fail',
      check('sig', 'fail', { last: run({ status: 'fail', exitCode: null, signal: 'SIGKILL' }) }),
      check('slow', 'fail', {
        last: run({ status: 'fail', exitCode: null, timedOut: true, signal: 'SIGKILL' }),
      }),
      check('old', 'fail', { stale: true, last: run({ status: 'pass' }) }),
      check('new', 'pending'),
      check('web', 'fail', {
        kind: 'http',
        last: run({ status: 'fail', exitCode: null, httpStatus: 503, output: 'down' }),
      }),
    );
    assert.match(text, /^sig .*killed by SIGKILL$/m);
    assert.match(text, /^slow .*timed out$/m);
    const noted = report(
      'fail',
      check('slow', 'fail', {
        last: run({
          status: 'fail',
          exitCode: null,
          timedOut: true,
          output: '[timed out after 5 ms]',
        }),
      }),
    );
    assert.match(noted, /^slow +FAIL +1 ms {2}\[timed out after 5 ms\]$/m);
    assert.match(text, /^old .*result too old \(exit 0\)$/m);
    assert.match(text, /^new .*not run$/m);
    assert.match(text, /^web .*HTTP 503: down$/m);
  });

  it('lets a TCP check say its reason in its own words', () => {
    const last = run({
      status: 'fail',
      exitCode: null,
      output: 'cannot connect to h:1: ECONNREFUSED',
    });
    const text = report('fail', check('db', 'fail', { kind: 'tcp', last }));
    assert.match(text, /^db +FAIL +1 ms {2}cannot connect to h:1: ECONNREFUSED$/m);
    assert.match(text, /^total {2}FAIL {2}1 of 1 check not passing$/m);
  });

  it('reads naturally when all pass, one or many', () => {
    assert.match(report('pass', check('a', 'pass')), /^total {2}PASS {2}1 check passing$/m);
    const two = report('pass', check('a', 'pass'), check('b', 'pass'));
    assert.match(two, /^total {2}PASS {2}all 2 checks passing$/m);
  });
});
