import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { canUnsharePid, enterArgv, openPidNamespace } from '../../src/checks/pid-namespace.js';
import { eventually } from '../support/checks.js';
import { requireRoot, zombieChildren } from '../support/processes.js';

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

describe('enterArgv', { timeout: 30_000 }, () => {
  it('enters the init’s namespace, switching user only when asked', () => {
    const [nsenter, ...rest] = enterArgv(42, ['sh', '-c', 'true'], {});
    assert.match(nsenter!, /(^|\/)nsenter$/);
    assert.deepEqual(rest, ['--pid=/proc/42/ns/pid', '--', 'sh', '-c', 'true']);
    assert.deepEqual(enterArgv(42, ['true'], { uid: 7, gid: 8 }).slice(1, 6), [
      '--pid=/proc/42/ns/pid',
      '-S',
      '7',
      '-G',
      '8',
    ]);
  });
});

describe('openPidNamespace', { timeout: 30_000 }, () => {
  it(
    'kills every process in it with its init, and leaves no zombie',
    { timeout: 30_000 },
    async (t) => {
      if (!requireRoot(t, 'unshare --pid')) return;
      assert.ok(canUnsharePid());
      const namespace = openPidNamespace();
      const init = await namespace.ready;
      const [file, ...args] = enterArgv(init, ['sh', '-c', 'setsid sleep 300 & echo $!'], {});
      const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'ignore'] });
      const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
      assert.match(chunk.toString(), /^\d+\n$/, 'a PID of the namespace');
      await once(child, 'exit');
      const escaped = readFileSync(`/proc/${init}/task/${init}/children`, 'utf8').trim();
      assert.notEqual(escaped, '', 'the setsid sleep is reparented to the namespace’s init');
      namespace.kill();
      namespace.kill();
      await namespace.gone;
      for (const pid of escaped.split(' ').map(Number)) assert.equal(alive(pid), false);
      assert.equal(alive(init), false);
      assert.ok(
        await eventually(() => zombieChildren(process.pid).map((stat) => stat.pid).length === 0),
        'no zombie of ours',
      );
    },
  );

  it('killed before its init runs, it starts nothing', { timeout: 30_000 }, async (t) => {
    if (!requireRoot(t, 'unshare --pid')) return;
    const namespace = openPidNamespace();
    namespace.kill();
    await namespace.gone;
    await namespace.ready.then(
      (init) => assert.equal(alive(init), false),
      () => undefined,
    );
  });
});
