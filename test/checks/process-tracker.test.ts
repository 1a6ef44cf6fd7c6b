import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containmentFor, pid1Notice } from '../../src/checks/containment.js';
import { createProcessTracker } from '../../src/checks/process-tracker.js';
import { spawnLeader } from '../support/processes.js';

const group = containmentFor('group')!;

describe('createProcessTracker', { timeout: 30_000 }, () => {
  it('tracks a run from open() until its processes are gone', async () => {
    const tracker = createProcessTracker({ containment: group });
    assert.equal(tracker.size(), 0);
    const fence = tracker.open();
    assert.equal(tracker.size(), 1);
    fence.leaderGone();
    fence.kill();
    await fence.gone;
    assert.equal(tracker.size(), 0);
  });

  it('killAll() SIGKILLs every live run once, then forgets them all', async () => {
    const tracker = createProcessTracker({ containment: group });
    const { child, exited } = spawnLeader('sleep 30');
    const fence = tracker.open();
    fence.started(child.pid!);
    tracker.killAll();
    assert.equal(tracker.size(), 0);
    assert.deepEqual(await exited, [null, 'SIGKILL']);
    assert.equal(fence.group(), null, 'a killed run is signalled no more');
  });

  it('never signals a run it has seen gone, whose group number a stranger now leads', async () => {
    const sent: [number, NodeJS.Signals][] = [];
    const send = (pgid: number, signal: NodeJS.Signals): boolean => {
      sent.push([pgid, signal]);
      return true;
    };
    const tracker = createProcessTracker({ containment: group, send });
    const fence = tracker.open(100);
    const stranger = spawnLeader('sleep 30');
    fence.started(stranger.child.pid!); // as if our reaped leader's number came back
    fence.leaderGone();
    fence.terminate();
    fence.kill();
    await fence.gone;
    tracker.killAll();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(sent, []);
    assert.equal(stranger.child.exitCode ?? stranger.child.signalCode, null, 'the stranger lives');
    stranger.child.kill('SIGKILL');
    await stranger.exited;
  });

  it('says the PID 1 line through `notice` only when it applies', () => {
    const lines: string[] = [];
    createProcessTracker({ containment: group, notice: (line) => lines.push(line) });
    assert.equal(lines.length, 0);
    const pid1 = { mode: 'group' as const, notice: pid1Notice, cgroups: null };
    createProcessTracker({ containment: pid1, notice: (line) => lines.push(line) });
    assert.deepEqual(lines, [pid1Notice]);
  });
});
