import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '../../src/daemon/metrics.js';
import type { CheckReport } from '../../src/types.js';
import { check, run } from '../support/checks.js';

/** The value of the sample `name{labels}` in Prometheus text, or undefined. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort();
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean).sort();
    if (wanted.every((label) => have.includes(label)) && have.length === wanted.length) {
      return Number(match[3]);
    }
  }
  return undefined;
}

function metrics(checks: CheckReport[] = [], maintenance: string[] = []) {
  const sources = { checks: () => checks, maintenance: () => maintenance };
  return { ...createMetrics(sources), checks, maintenance };
}

describe('createMetrics', { timeout: 30_000 }, () => {
  it('renders Prometheus text in the content type of the registry', async () => {
    const subject = metrics();
    assert.match(subject.contentType, /^text\/plain; version=0\.0\.4/);
    const text = await subject.render();
    assert.match(text, /^# HELP healthcheckd_check_state /m);
    assert.match(text, /^# TYPE healthcheckd_http_responses_total counter$/m);
  });

  it('shows each check in exactly one state, as the sources say at scrape time', async () => {
    const subject = metrics([check('web', 'pass'), check('db', 'pending')]);
    let text = await subject.render();
    assert.equal(sample(text, 'healthcheckd_check_state', { check: 'web', state: 'pass' }), 1);
    assert.equal(sample(text, 'healthcheckd_check_state', { check: 'web', state: 'fail' }), 0);
    assert.equal(sample(text, 'healthcheckd_check_state', { check: 'db', state: 'pending' }), 1);
    subject.checks.splice(0, 2, check('web', 'fail'));
    text = await subject.render();
    assert.equal(sample(text, 'healthcheckd_check_state', { check: 'web', state: 'fail' }), 1);
    assert.equal(sample(text, 'healthcheckd_check_state', { check: 'web', state: 'pass' }), 0);
    assert.equal(
      sample(text, 'healthcheckd_check_state', { check: 'db', state: 'pending' }),
      undefined,
      'a check gone after a reload is gone from the metrics',
    );
  });

  it('gauges each perfdata item of a check, and forgets a check removed on reload', async () => {
    const item = { unit: 's', warn: null, crit: '30', min: 0, max: null };
    const perfdata = {
      values: [
        { ...item, label: 'lag', value: 12 },
        { ...item, label: 'io wait', value: 0.5 },
      ],
      notes: [],
    };
    const subject = metrics([
      check('db', 'pass', { last: run({ perfdata }) }),
      check('web', 'pass'),
    ]);
    let text = await subject.render();
    assert.equal(sample(text, 'healthcheckd_check_perfdata', { check: 'db', label: 'lag' }), 12);
    assert.equal(
      sample(text, 'healthcheckd_check_perfdata', { check: 'db', label: 'io wait' }),
      0.5,
    );
    subject.checks.splice(0, 1);
    text = await subject.render();
    assert.equal(
      sample(text, 'healthcheckd_check_perfdata', { check: 'db', label: 'lag' }),
      undefined,
    );
  });

  it('counts runs by check and result, a timeout as its own result, and times them', async () => {
    const subject = metrics();
    subject.observeRun('db', run({ durationMs: 20 }));
    subject.observeRun('db', run({ durationMs: 40 }));
    subject.observeRun(
      'db',
      run({ status: 'fail', exitCode: null, timedOut: true, durationMs: 5_000 }),
    );
    subject.observeRun('web', run({ status: 'warn', exitCode: 1 }));
    const text = await subject.render();
    const runs = (check: string, result: string) =>
      sample(text, 'healthcheckd_check_runs_total', { check, result });
    assert.equal(runs('db', 'pass'), 2);
    assert.equal(runs('db', 'timeout'), 1);
    assert.equal(runs('db', 'fail'), undefined, 'a timed-out run is not also a fail');
    assert.equal(runs('web', 'warn'), 1);
    const seconds = (suffix: string, labels: Record<string, string>) =>
      sample(text, `healthcheckd_check_run_duration_seconds_${suffix}`, labels);
    assert.equal(seconds('count', { check: 'db' }), 3);
    assert.equal(seconds('sum', { check: 'db' }), 5.06);
    assert.equal(seconds('bucket', { check: 'db', le: '0.025' }), 1);
    assert.equal(seconds('bucket', { check: 'db', le: '0.05' }), 2);
    assert.equal(seconds('bucket', { check: 'db', le: '+Inf' }), 3);
  });

  it('counts answers by status code', async () => {
    const subject = metrics();
    for (const code of [200, 200, 503, 200, 404]) subject.observeAnswer(code);
    let text = await subject.render();
    const answers = (code: string) => sample(text, 'healthcheckd_http_responses_total', { code });
    assert.deepEqual([answers('200'), answers('503'), answers('404')], [3, 1, 1]);
    subject.observeAnswer(503);
    text = await subject.render();
    assert.equal(answers('503'), 2, 'counts keep growing across scrapes');
  });

  it('shows the maintenance flags in force, one gauge per scope', async () => {
    const subject = metrics([], ['all', 'check:db']);
    let text = await subject.render();
    assert.equal(sample(text, 'healthcheckd_maintenance', { scope: 'all' }), 1);
    assert.equal(sample(text, 'healthcheckd_maintenance', { scope: 'check:db' }), 1);
    subject.maintenance.splice(0);
    text = await subject.render();
    assert.equal(sample(text, 'healthcheckd_maintenance', { scope: 'all' }), undefined);
  });

  it('shows 1 for a check that flaps, 0 for the others and those without flap_threshold', async () => {
    const flap = { percent: 42, flapping: true, thresholdPercent: 20, stopBelowPercent: 15 };
    const subject = metrics([
      check('db', 'fail', { flap }),
      check('web', 'pass', { flap: { ...flap, flapping: false, percent: 0 } }),
      check('disk', 'pass'),
    ]);
    const text = await subject.render();
    assert.equal(sample(text, 'healthcheckd_check_flapping', { check: 'db' }), 1);
    assert.equal(sample(text, 'healthcheckd_check_flapping', { check: 'web' }), 0);
    assert.equal(sample(text, 'healthcheckd_check_flapping', { check: 'disk' }), 0);
  });

  it('includes the process metrics, in a registry of its own per daemon (reload safe)', async () => {
    const first = metrics();
    const second = metrics();
    second.observeAnswer(200);
    const text = await first.render();
    assert.notEqual(sample(text, 'process_cpu_user_seconds_total'), undefined);
    assert.equal(sample(text, 'healthcheckd_http_responses_total', { code: '200' }), undefined);
  });
});
