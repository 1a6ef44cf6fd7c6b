import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { daemonConfig, startDaemon, stopDaemon, type RunningDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { tempDir } from '../support/paths.js';
import { descendantsOf, isSpawnHelper } from '../support/processes.js';
import { builtHelper, helperSkipReason } from '../support/spawn-helper.js';
import { eventually } from '../support/wait.js';

/** The `spawner` of the daemon's start line. */
function spawner(daemon: RunningDaemon): string | undefined {
  return /"spawner":"([^"]*)"/.exec(daemon.stderr())?.[1];
}

const helpers = (daemon: RunningDaemon): number =>
  descendantsOf(daemon.pid).filter((stat) => isSpawnHelper(stat.pid)).length;

describe('spawn_helper from the command line', { timeout: 60_000 }, () => {
  const dir = tempDir('hcd-spawn-helper-');
  after(() => dir.cleanup());

  /** A daemon whose one command check runs a program on every request, as the Python tool. */
  async function daemon(name: string, setting: string): Promise<RunningDaemon> {
    const config = daemonConfig(
      dir.path,
      name,
      `log_format = json\n${setting}\n[check:main]\ncommand = test -d /\n`,
    );
    return startDaemon(['run', config]);
  }

  it('auto: checks start through the helper the build made', async (t) => {
    const skip = helperSkipReason();
    if (skip) return t.skip(skip);
    const running = await daemon('auto', '');
    try {
      assert.equal(spawner(running), builtHelper);
      assert.equal(helpers(running), 1, 'one helper process under the daemon');
      for (let i = 0; i < 5; i += 1) {
        assert.equal((await httpRequest(running.port, { path: '/check/main' })).status, 200);
      }
    } finally {
      await stopDaemon(running);
    }
  });

  it('off: checks start with Node spawn, and no helper runs', async () => {
    const running = await daemon('off', 'spawn_helper = off');
    try {
      assert.equal(spawner(running), 'node');
      assert.equal((await httpRequest(running.port, { path: '/check/main' })).status, 200);
      assert.equal(helpers(running), 0);
    } finally {
      await stopDaemon(running);
    }
  });

  it('a path that is no program: a warning, and checks still answer', async () => {
    const running = await daemon('missing', `spawn_helper = ${dir.path}/no-such-helper`);
    try {
      assert.match(running.stderr(), /spawn_helper = \S+no-such-helper is not an executable file/);
      assert.equal(spawner(running), 'node');
      assert.equal((await httpRequest(running.port, { path: '/check/main' })).status, 200);
    } finally {
      await stopDaemon(running);
    }
  });

  it('a program that is not the helper: stopped with a warning, checks answer meanwhile', async () => {
    // cat reads its input and never says it is the helper.
    const running = await daemon('cat', 'spawn_helper = /bin/cat');
    try {
      assert.equal((await httpRequest(running.port, { path: '/check/main' })).status, 200);
      assert.ok(
        await eventually(() => /did not say it was ready/.test(running.stderr()), 15_000),
        running.stderr(),
      );
      assert.equal((await httpRequest(running.port, { path: '/check/main' })).status, 200);
    } finally {
      await stopDaemon(running);
    }
  });
});
