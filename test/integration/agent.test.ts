import assert from 'node:assert/strict';
import { unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentRead } from '../support/agent-client.js';
import { runCli, type RunningDaemon, startDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { freePort } from '../support/listen.js';
import { tempDir } from '../support/paths.js';
import { eventually } from '../support/wait.js';

describe('HAProxy agent-check against a real daemon', { timeout: 60_000 }, () => {
  const dir = tempDir();
  const flag = join(dir.path, 'ok-flag');
  const config = join(dir.path, 'agent.config');
  let agentPort = 0;
  let daemon: RunningDaemon;
  before(async () => {
    agentPort = await freePort();
    writeFileSync(flag, '');
    writeFileSync(
      config,
      `[healthcheckd]\nport = 0\npiddir = ${dir.path}\nspool_dir = ${dir.path}/spool\n` +
        `[check:app]\ncommand = "test -e ${flag} || { echo app is broken; exit 2; }"\n` +
        `[agent]\nport = ${agentPort}\nweight = command:echo 42%\nmin_weight = 10%\n`,
    );
    daemon = await startDaemon([config]);
  });
  after(async () => {
    await daemon.stop();
    dir.cleanup();
  });

  it('answers each connection with one full-state line: up ready and the command weight', async () => {
    assert.equal(await agentRead(agentPort), 'up ready 42%\n');
  });

  it('answers down #reason while the aggregate fails', async () => {
    unlinkSync(flag);
    try {
      assert.equal(await agentRead(agentPort), 'down #app: app is broken\n');
      assert.equal((await httpRequest(daemon.port)).status, 503);
    } finally {
      writeFileSync(flag, '');
    }
    assert.equal(await agentRead(agentPort), 'up ready 42%\n');
  });

  it('answers drain while a maintenance flag is set', async () => {
    // The daemon looks at the spool at most every 0.1 s (README, "Maintenance").
    const says = (line: string): Promise<boolean> =>
      eventually(async () => (await agentRead(agentPort)) === line, 3_000);
    assert.equal((await runCli(['down', config, '--reason', 'deploy'])).code, 0);
    try {
      assert.ok(await says('drain\n'), 'drain while the flag is set');
    } finally {
      await runCli(['up', config]);
    }
    assert.ok(await says('up ready 42%\n'), 'up again once the flag is gone');
  });

  it('survives resets, half-open and silent clients, and keeps answering', async () => {
    const silent = Array.from({ length: 20 }, () => connect(agentPort, '127.0.0.1'));
    for (let i = 0; i < 50; i += 1) {
      const socket = connect(agentPort, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.once('connect', () => (i % 2 ? socket.resetAndDestroy() : socket.end('garbage\n')));
    }
    const answers = await Promise.all(Array.from({ length: 20 }, () => agentRead(agentPort)));
    assert.ok(
      answers.every((line) => line === 'up ready 42%\n'),
      answers.join(''),
    );
    for (const socket of silent) socket.destroy();
    assert.equal((await httpRequest(daemon.port)).status, 200);
  });
});

describe('agent maint mode and cpu weight', { timeout: 60_000 }, () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('answers maint with maintenance = maint, and a cpu weight floored at min_weight', async () => {
    const agentPort = await freePort();
    const config = join(dir.path, 'maint.config');
    writeFileSync(
      config,
      `[healthcheckd]\nport = 0\npiddir = ${dir.path}\nspool_dir = ${dir.path}/spool\ncommand = true\n` +
        `[agent]\nport = ${agentPort}\nweight = cpu\nmin_weight = 100%\nmaintenance = maint\n`,
    );
    const daemon = await startDaemon([config]);
    try {
      // The weight is left out until the second CPU sample, a second after the start.
      let line = '';
      const measured = async (): Promise<boolean> =>
        (line = await agentRead(agentPort)) !== 'up ready\n';
      assert.ok(await eventually(measured, 20_000), 'a weight within 20 s');
      assert.equal(line, 'up ready 100%\n', 'a 100% floor pins the weight');
      assert.equal((await runCli(['down', config])).code, 0);
      assert.ok(
        await eventually(async () => (await agentRead(agentPort)) === 'maint\n', 3_000),
        'maint while the flag is set (the spool is looked at every 0.1 s)',
      );
    } finally {
      await daemon.stop();
    }
  });
});
