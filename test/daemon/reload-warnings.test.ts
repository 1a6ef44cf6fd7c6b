/** The restart-only warning of a reload names only the keys the operator changed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../src/config/load.js';
import { restartOnlyChanges } from '../../src/daemon/reload.js';

const env = { cwd: '/srv', isExecutable: () => true };
const config = (body: string) =>
  parseConfigText(`[healthcheckd]\ncommand = true\n${body}`, '/etc/h.config', {}, env).config;

describe('restartOnlyChanges', { timeout: 5_000 }, () => {
  it('a new port with the default pidfile changes nothing restart-only', () => {
    assert.deepEqual(restartOnlyChanges(config('port = 9000\n'), config('port = 9001\n')), []);
  });

  it('names pidfile, piddir, log_format and user when the operator changed them', () => {
    assert.deepEqual(restartOnlyChanges(config('pidfile = a.pid\n'), config('pidfile = b.pid\n')), [
      'pidfile',
    ]);
    assert.deepEqual(restartOnlyChanges(config('piddir = /run\n'), config('piddir = /tmp\n')), [
      'piddir',
    ]);
    assert.deepEqual(
      restartOnlyChanges(config('user = a\n'), config('user = b\nlog_format = json\n')),
      ['log_format', 'user'],
    );
  });

  it('a pidfile the operator now names is a change, even with the port unchanged', () => {
    assert.deepEqual(restartOnlyChanges(config(''), config('pidfile = mine.pid\n')), ['pidfile']);
  });
});
