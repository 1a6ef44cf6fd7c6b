import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { killGraceMs, signalGroup, terminateGroup } from '../../src/checks/process-group.js';
import { groupMembers } from '../support/processes.js';
import { eventually } from '../support/wait.js';

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

const stubborn = "trap '' TERM; echo ready; while :; do sleep 0.05; done";

describe('signalGroup', { timeout: 30_000 }, () => {
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

describe('terminateGroup', { timeout: 30_000 }, () => {
  it('waits 1 s between SIGTERM and SIGKILL by default', () => {
    assert.equal(killGraceMs, 1000);
  });

  it('stops a group that obeys SIGTERM', async () => {
    const { child, pgid } = await startGroup('sleep 30 & echo ready; sleep 30');
    const exited = once(child, 'exit');
    const killNow = terminateGroup(pgid, 60_000);
    assert.deepEqual(await exited, [null, 'SIGTERM']);
    assert.ok(await eventually(() => groupMembers(pgid).length === 0));
    killNow();
  });

  it('SIGKILLs a group that ignores SIGTERM after the grace', async () => {
    const { child, pgid } = await startGroup(stubborn);
    const exited = once(child, 'exit');
    terminateGroup(pgid, 100);
    assert.deepEqual(await exited, [null, 'SIGKILL']);
    assert.ok(await eventually(() => groupMembers(pgid).length === 0));
  });

  it('returns a function that SIGKILLs at once, skipping the grace', async () => {
    const { child, pgid } = await startGroup(stubborn);
    const exited = once(child, 'exit');
    const killNow = terminateGroup(pgid, 60_000);
    assert.ok(groupMembers(pgid).length > 0, 'SIGTERM is ignored');
    killNow();
    assert.deepEqual(await exited, [null, 'SIGKILL']);
    assert.ok(await eventually(() => groupMembers(pgid).length === 0));
  });

  it('does nothing, and does not throw, for a group that is gone', async () => {
    const { child, pgid } = await startGroup('echo ready');
    if (child.exitCode === null) await once(child, 'exit');
    assert.ok(await eventually(() => groupMembers(pgid).length === 0));
    const killNow = terminateGroup(pgid);
    assert.doesNotThrow(killNow);
  });
});
