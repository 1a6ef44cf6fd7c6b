import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../src/config/load.js';
import {
  splitPythonEntry,
  unescapePercent,
  withPidSuffix,
} from '../../src/config/python-compat.js';
import { HealthcheckdError } from '../../src/errors.js';

const file = '/etc/healthcheckd.config';
const env = { cwd: '/srv', isExecutable: (path: string) => path === '/bin/sh' };
const parse = (text: string) => parseConfigText(text, file, {}, env);

function problemsOf(text: string): readonly string[] {
  try {
    parse(text);
  } catch (error) {
    assert.ok(error instanceof HealthcheckdError, String(error));
    return error.details;
  }
  return assert.fail('expected the config to be refused');
}

describe('python-compat: the rules', { timeout: 30_000 }, () => {
  it('splits at the first "=" or ":", as configparser does', () => {
    assert.deepEqual(splitPythonEntry('bind: ::1'), {
      key: 'bind',
      separator: ':',
      rawValue: ' ::1',
    });
    assert.deepEqual(splitPythonEntry('bind = ::1'), {
      key: 'bind',
      separator: '=',
      rawValue: ' ::1',
    });
    assert.equal(splitPythonEntry(': 5'), null);
    assert.equal(splitPythonEntry('port'), null);
  });

  it('reads %% as % and keeps a lone %; refuses a %(name)s reference', () => {
    assert.deepEqual(unescapePercent('date +%%s'), { ok: true, value: 'date +%s' });
    assert.deepEqual(unescapePercent('echo 100%'), { ok: true, value: 'echo 100%' });
    assert.deepEqual(unescapePercent('%%%'), { ok: true, value: '%%' });
    assert.deepEqual(unescapePercent('%%(port)s'), { ok: true, value: '%(port)s' });
    assert.deepEqual(unescapePercent('echo %(port)s x'), { ok: false, at: '%(port)s' });
  });

  it('appends .pid to a name without it (case counts, as in the pid package)', () => {
    assert.equal(withPidSuffix('demo'), 'demo.pid');
    assert.equal(withPidSuffix('demo.pid'), 'demo.pid');
    assert.equal(withPidSuffix('demo.PID'), 'demo.PID.pid');
  });
});

describe('python-compat: loading', { timeout: 30_000 }, () => {
  it('notes every translation with its line, in line order', () => {
    const { translations } = parse(
      '[DEFAULT]\ntimeout = 3s\n[healthcheckd]\nPort: 9999\npidfile = "demo"\ncommand = date +%%s\n',
    );
    assert.deepEqual(
      translations.map(({ line, key }) => `${line} ${key}`),
      ['2 timeout', '4 port', '4 port', '5 pidfile', '5 pidfile', '6 command'],
    );
  });

  it('keeps strict validation: a duplicate in another case, unknown keys, in both forms', () => {
    const problems = problemsOf(
      '[DEFAULT]\ncomand: x\n[healthcheckd]\nport = 1\nPORT: 2\nPrt: 3\ncommand = true\n',
    );
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0] ?? '', /:2: unknown key "comand" .*did you mean "command"/);
    assert.match(
      problems[1] ?? '',
      /:5: duplicate key "port" in \[healthcheckd\]: first set on line 4/,
    );
    assert.match(problems[2] ?? '', /:6: unknown key "prt" .*did you mean "port"/);
  });

  it('lets [healthcheckd] win over [DEFAULT], and makes [healthcheckd] of [DEFAULT] alone', () => {
    const both = parse('[DEFAULT]\nport = 1\n[healthcheckd]\nport = 2\ncommand = true\n');
    assert.equal(both.config.daemon.port, 2);
    const alone = parse('[DEFAULT]\nport = 3\ncommand = true\n');
    assert.equal(alone.config.daemon.port, 3);
    assert.equal(alone.config.checks[0]?.origin.line, 3);
  });

  it('refuses a %(name)s reference with the line and the fix', () => {
    const problems = problemsOf('[healthcheckd]\nport = 1\ncommand = echo %(port)s\n');
    assert.match(
      problems[0] ?? '',
      /:3: command: .*references are not supported, found "%\(port\)s"/,
    );
  });

  it('reads [check:NAME] and [agent] literally: no %%, no ":" form, keys as written', () => {
    const { config } = parse('[healthcheckd]\nport = 1\n[check:x]\ncommand = echo 100%%\n');
    assert.equal(config.checks[0]?.target, 'echo 100%%');
    const problems = problemsOf('[healthcheckd]\n[check:x]\ncommand: true\nTimeout = 2s\n');
    assert.match(
      problems.join('\n'),
      /:3: expected "key = value", found "command: true"; write command = true/,
    );
    assert.match(problems.join('\n'), /:4: unknown key "Timeout" in \[check:x\]/);
  });
});
