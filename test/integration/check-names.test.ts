import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  freePort,
  httpRequest,
  runCli,
  startDaemon,
  tempDir,
  writeConfig,
  type RunningDaemon,
} from '../support/daemon.js';

/**
 * Check names are operator input: `__proto__` and `constructor` are names like any other and
 * must come out under that name in every output (case B-03 of the field cases).
 */
describe('checks named __proto__ and constructor', { timeout: 60_000 }, () => {
  const dir = tempDir();
  let daemon: RunningDaemon;
  let config: string;

  before(async () => {
    const port = await freePort();
    config = writeConfig(
      dir.path,
      [
        '[healthcheckd]',
        `port = ${port}`,
        'bind = 127.0.0.1',
        `pidfile = ${join(dir.path, 'names.pid')}`,
        `spool_dir = ${join(dir.path, 'spool')}`,
        '',
        '[check:__proto__]',
        'command = "exit 2"',
        'group = hasOwnProperty',
        '',
        '[check:constructor]',
        'command = true',
        '',
      ].join('\n'),
    );
    daemon = await startDaemon(['run', config]);
  });
  after(async () => {
    await daemon?.stop();
    dir.cleanup();
  });

  it('lists both in health+json, the failing one failing the aggregate', async () => {
    const reply = await httpRequest(daemon.port, { path: '/?format=json' });
    assert.equal(reply.status, 503);
    const doc = JSON.parse(reply.body) as { checks: Record<string, [{ status: string }]> };
    assert.deepEqual(Object.keys(doc.checks), ['__proto__', 'constructor']);
    assert.equal(Object.getOwnPropertyDescriptor(doc.checks, '__proto__')?.value[0].status, 'fail');
    assert.equal(
      Object.getOwnPropertyDescriptor(doc.checks, 'constructor')?.value[0].status,
      'pass',
    );
  });

  it('answers /check/__proto__, /check/constructor and the group named hasOwnProperty', async () => {
    assert.equal((await httpRequest(daemon.port, { path: '/check/__proto__' })).status, 503);
    assert.equal((await httpRequest(daemon.port, { path: '/check/constructor' })).status, 200);
    assert.equal((await httpRequest(daemon.port, { path: '/hasOwnProperty' })).status, 503);
    assert.equal((await httpRequest(daemon.port, { path: '/check/toString' })).status, 404);
  });

  it('shows both on the status page and in /metrics', async () => {
    const page = await httpRequest(daemon.port, { headers: { accept: 'text/html' } });
    assert.match(page.body, /__proto__/);
    assert.match(page.body, /constructor/);
    const metrics = await httpRequest(daemon.port, { path: '/metrics' });
    assert.match(metrics.body, /check="__proto__"/);
    assert.match(metrics.body, /check="constructor"/);
  });

  it('prints both in `status` and `check --json`', async () => {
    const status = await runCli(['status', config]);
    assert.equal(status.code, 2, status.stdout + status.stderr);
    assert.match(status.stdout, /^ {2}__proto__ +FAIL/m);
    assert.match(status.stdout, /^ {2}constructor +PASS/m);
    const check = await runCli(['check', config, '--json']);
    assert.equal(check.code, 2, check.stderr);
    const doc = JSON.parse(check.stdout) as { checks: Record<string, [{ status: string }]> };
    assert.deepEqual(Object.keys(doc.checks), ['__proto__', 'constructor']);
  });
});
