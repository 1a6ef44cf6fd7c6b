import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../src/config/load.js';

const file = '/etc/healthcheckd/test.config';
const parse = (text: string) =>
  parseConfigText(text, file, {}, { cwd: '/', isExecutable: () => true });

describe('config warnings', { timeout: 30_000 }, () => {
  it('warns when a background check may run longer than max_age - interval', () => {
    const { warnings } = parse(
      '[healthcheckd]\nport = 0\n\n[check:slow]\ncommand = sleep 2.8\ninterval = 1s\ntimeout = 10s\n',
    );
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0] ?? '',
      /^\/etc\/healthcheckd\/test\.config:4: \[check:slow\]: timeout 10s is longer than max_age - interval \(3s - 1s = 2s\)/,
    );
    assert.match(warnings[0] ?? '', /lower timeout to 2s or raise max_age to 11s/);
  });

  it('takes the [healthcheckd] timeout when the check sets none', () => {
    const { warnings } = parse(
      '[healthcheckd]\ntimeout = 30s\n[check:a]\ncommand = true\ninterval = 5s\nmax_age = 20s\n',
    );
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0] ?? '',
      /timeout 30s is longer than max_age - interval \(20s - 5s = 15s\)/,
    );
  });

  it('is quiet when the timeout fits, and for checks run on request', () => {
    const { warnings } = parse(
      '[check:fits]\ncommand = true\ninterval = 5s\ntimeout = 10s\n' +
        '[check:exact]\ncommand = true\ninterval = 1s\nmax_age = 3s\ntimeout = 2s\n' +
        '[check:on-request]\ncommand = true\ntimeout = 60s\n',
    );
    assert.deepEqual(warnings, []);
  });
});
