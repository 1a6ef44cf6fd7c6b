import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { containmentFor } from '../../src/checks/containment.js';
import { createRunFence, type RunFence } from '../../src/checks/run-fence.js';
import { eventually, groupMembers } from '../support/checks.js';
import { spawnLeader } from '../support/processes.js';

/** A fence on the process group alone whose signals are recorded (and sent when `real`). */
function recordedFence(
  graceMs: number,
  real = true,
): { fence: RunFence; sent: [number, NodeJS.Signals][] } {
  const sent: [number, NodeJS.Signals][] = [];
  const fence = createRunFence(containmentFor('group')!, {
    graceMs,
    procIsOurs: true,
    send: (pgid, signal) => {
      sent.push([pgid, signal]);
      if (!real) return true;
      try {
        process.kill(-pgid, signal);
        return true;
      } catch {
        return false;
      }
    },
  });
  return { fence, sent };
}

describe('run fence: the pending SIGKILL', { timeout: 30_000 }, () => {
  it(
    'is cancelled once the group is gone: nothing is sent after the last SIGKILL',
    {
      timeout: 10_000,
    },
    async () => {
      const { child, exited } = spawnLeader('sleep 30');
      const { fence, sent } = recordedFence(300);
      fence.started(child.pid!);
      fence.terminate();
      await exited;
      fence.leaderGone();
      fence.kill(); // as a run does once its leader exited and its output closed
      await fence.gone;
      const count = sent.length;
      await sleep(600); // past the 300 ms grace
      assert.equal(sent.length, count, `signals after the group was gone: ${JSON.stringify(sent)}`);
      assert.deepEqual(
        sent.map(([, signal]) => signal),
        ['SIGTERM', 'SIGKILL'],
      );
    },
  );

  it('fires when the group ignores SIGTERM, and only once', { timeout: 10_000 }, async () => {
    const { child, exited } = spawnLeader("trap '' TERM; while :; do sleep 0.05; done");
    const { fence, sent } = recordedFence(200);
    fence.started(child.pid!);
    await sleep(100); // let the trap be set
    fence.terminate();
    fence.terminate();
    assert.deepEqual(await exited, [null, 'SIGKILL']);
    fence.leaderGone();
    fence.kill();
    assert.deepEqual(
      sent.map(([, signal]) => signal),
      ['SIGTERM', 'SIGKILL'],
    );
    assert.ok(await eventually(() => groupMembers(child.pid!).length === 0));
  });
});

describe('run fence: a reused PID', { timeout: 30_000 }, () => {
  it(
    'is never signalled once the leader was reaped and its number belongs to another group',
    {
      timeout: 10_000,
    },
    async () => {
      // A stranger leading a group whose number is the one our reaped leader had.
      const stranger = spawnLeader('sleep 30');
      const { fence, sent } = recordedFence(100);
      fence.started(stranger.child.pid!);
      fence.leaderGone();
      fence.terminate();
      fence.kill();
      await sleep(300);
      assert.deepEqual(sent, []);
      assert.equal(stranger.child.exitCode, null, 'the stranger lives');
      assert.equal(stranger.child.signalCode, null);
      stranger.child.kill('SIGKILL');
      await stranger.exited;
    },
  );

  it('signals nothing after the last SIGKILL, whatever is asked', { timeout: 10_000 }, async () => {
    const { fence, sent } = recordedFence(50, false);
    fence.started(2 ** 30);
    fence.kill();
    fence.terminate();
    fence.kill();
    await sleep(150);
    assert.deepEqual(sent, [[2 ** 30, 'SIGKILL']]);
    assert.equal(fence.group(), null);
  });

  it('a run that never started is gone without any signal', { timeout: 5_000 }, async () => {
    const { fence, sent } = recordedFence(50, false);
    fence.leaderGone();
    fence.kill();
    await fence.gone;
    assert.deepEqual(sent, []);
  });
});
