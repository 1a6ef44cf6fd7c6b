import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { killGraceMs, reapedGroupIsOurs, signalGroup } from '../../src/checks/process-group.js';
import { eventually, groupMembers } from '../support/checks.js';

/** Starts `sh -c script` as the leader of a new process group; resolves once it printed `ready`. */
async function startGroup(script: string): Promise<{ child: ChildProcess; pgid: number }> {
  const child = spawn('/bin/sh', ['-c', script], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  assert.equal(chunk.toString(), 'ready\n');
  assert.ok(child.pid !== undefined);
  return { child, pgid: child.pid };
}

describe('signalGroup', { timeout: 30_000 }, () => {
  it('waits 1 s between SIGTERM and SIGKILL by default', () => {
    assert.equal(killGraceMs, 1000);
  });

  it('signals every process of the group and returns true', async () => {
    const { child, pgid } = await startGroup('sleep 30 & echo ready; sleep 30');
    const exited = once(child, 'exit');
    assert.equal(signalGroup(pgid, 'SIGKILL'), true);
    assert.deepEqual(await exited, [null, 'SIGKILL']);
    assert.ok(await eventually(() => groupMembers(pgid).length === 0), 'the background sleep too');
  });

  it('returns false when the group no longer exists', async () => {
    const { child, pgid } = await startGroup('echo ready');
    if (child.exitCode === null) await once(child, 'exit');
    assert.ok(await eventually(() => groupMembers(pgid).length === 0));
    assert.equal(signalGroup(pgid, 'SIGTERM'), false);
  });

  it('never throws: a kill that cannot be sent (EPERM, a bad signal) returns false', () => {
    assert.equal(signalGroup(process.pid, 'SIGNOPE' as NodeJS.Signals), false);
  });
});

describe('reapedGroupIsOurs', { timeout: 30_000 }, () => {
  it('refuses a group number that a live process now has (the PID was reused)', () => {
    assert.equal(reapedGroupIsOurs(process.pid, true), false);
  });

  it('accepts a number no process has (only members of our group may be left)', () => {
    assert.equal(reapedGroupIsOurs(2 ** 30, true), true);
  });

  it('takes the group as ours when /proc does not show our PIDs', () => {
    assert.equal(reapedGroupIsOurs(process.pid, false), true);
  });
});
