import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { createProcessTracker } from '../../src/checks/process-tracker.js';

/** A PID far above any pid_max, so no process group has it. */
const noSuchGroup = 2 ** 30;

describe('createProcessTracker', { timeout: 30_000 }, () => {
  it('counts the groups added and removed', () => {
    const tracker = createProcessTracker();
    assert.equal(tracker.size(), 0);
    tracker.add(noSuchGroup);
    tracker.add(noSuchGroup + 1);
    assert.equal(tracker.size(), 2);
    tracker.remove(noSuchGroup);
    assert.equal(tracker.size(), 1);
    tracker.remove(noSuchGroup);
    assert.equal(tracker.size(), 1);
  });

  it('forget() does not start tracking a group that was not added', () => {
    const tracker = createProcessTracker();
    let calls = 0;
    tracker.forget(noSuchGroup, () => (calls += 1));
    assert.equal(tracker.size(), 0);
    tracker.killAll();
    assert.equal(calls, 0);
  });

  it("killAll() uses a forgotten group's killNow and SIGKILLs the others, then forgets all", async () => {
    const tracker = createProcessTracker();
    const child = spawn('/bin/sh', ['-c', 'sleep 30'], { detached: true, stdio: 'ignore' });
    assert.ok(child.pid !== undefined);
    const exited = once(child, 'exit');
    tracker.add(child.pid);
    tracker.add(noSuchGroup);
    let calls = 0;
    tracker.forget(noSuchGroup, () => (calls += 1));
    tracker.killAll();
    assert.equal(calls, 1);
    assert.equal(tracker.size(), 0);
    assert.deepEqual(await exited, [null, 'SIGKILL']);
    tracker.killAll();
    assert.equal(calls, 1, 'a group is killed once');
  });
});
