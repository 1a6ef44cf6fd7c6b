import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { cgroup2Mount, openCgroupHome, ownCgroupDir } from '../../src/checks/cgroup-runs.js';
import { requireRoot } from '../support/processes.js';

describe('cgroup runs', { timeout: 30_000 }, () => {
  it(
    'starts a child inside the run, leaves the daemon where it was, and kills all of it',
    {
      timeout: 30_000,
    },
    async (t) => {
      if (!requireRoot(t, 'a writable cgroup v2')) return;
      const home = openCgroupHome();
      if (home === null) return t.skip('cgroup v2 is not writable here');
      const before = ownCgroupDir(cgroup2Mount());
      const run = home.newRun();
      const child = run.around(() =>
        spawn('sh', ['-c', 'setsid sleep 300 & echo $!'], { stdio: ['ignore', 'pipe', 'ignore'] }),
      );
      assert.equal(ownCgroupDir(cgroup2Mount()), before, 'the daemon is back in its own cgroup');
      const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
      const escaped = Number(chunk.toString());
      await once(child, 'exit');
      assert.match(
        readFileSync(`/proc/${escaped}/cgroup`, 'utf8'),
        new RegExp(`${run.dir.split('/').pop()}`),
      );
      assert.equal(run.populated(), true);
      assert.equal(run.release(), false, 'not handed back while populated');
      run.kill();
      await run.whenEmpty();
      assert.equal(run.populated(), false);
      assert.equal(run.release(), true);
      home.killAllNow();
      assert.equal(existsSync(run.dir), false, 'removed with the home');
    },
  );

  it('a home made without the move check tries the moves when a run first needs them', async (t) => {
    if (!requireRoot(t, 'a writable cgroup v2')) return;
    const home = openCgroupHome(undefined, false);
    if (home === null) return t.skip('cgroup v2 is not writable here');
    try {
      const before = ownCgroupDir(cgroup2Mount());
      const run = home.newRun();
      const child = run.around(() => spawn('cat', ['/proc/self/cgroup'], { stdio: 'pipe' }));
      const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
      assert.match(chunk.toString(), new RegExp(`${run.dir.split('/').pop()}$`, 'm'));
      assert.equal(home.canMove(), true, 'the moves worked, and are not tried again');
      assert.equal(ownCgroupDir(cgroup2Mount()), before, 'the daemon is back in its own cgroup');
      await once(child, 'exit');
    } finally {
      home.close();
    }
    assert.equal(existsSync(home.dir), false, 'close removes the home');
  });

  it(
    'hands an empty cgroup to the next run, and an old run never signals into it',
    { timeout: 30_000 },
    async (t) => {
      if (!requireRoot(t, 'a writable cgroup v2')) return;
      const home = openCgroupHome();
      if (home === null) return t.skip('cgroup v2 is not writable here');
      const first = home.newRun();
      const done = first.around(() => spawn('true', [], { stdio: 'ignore' }));
      await once(done, 'exit');
      await first.whenEmpty();
      assert.equal(first.release(), true);
      const second = home.newRun();
      assert.equal(second.dir, first.dir, 'the empty cgroup is reused');
      const sleeper = second.around(() => spawn('sleep', ['300'], { stdio: 'ignore' }));
      try {
        assert.equal(second.populated(), true);
        first.kill();
        assert.equal(first.populated(), false, 'the old run sees nothing of the new one');
        assert.equal(second.populated(), true, 'the old run killed nothing of the new one');
        assert.equal(sleeper.exitCode, null);
      } finally {
        second.kill();
        await second.whenEmpty();
      }
      assert.equal(second.release(), true);
      assert.equal(existsSync(second.dir), false, 'a cgroup that was killed is removed, not kept');
      assert.notEqual(home.newRun().dir, second.dir);
      home.killAllNow();
    },
  );
});
