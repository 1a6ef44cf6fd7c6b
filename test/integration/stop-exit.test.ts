import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemon, tempDir, writeConfig } from '../support/daemon.js';

/**
 * Generous on a busy machine, and still well below the 2 s close grace that a kept-alive
 * connection used to wait out (between the answer and the "stopped" line, or after it).
 */
const promptMs = 1_000;

/** GET / over a keep-alive agent: the status and when the answer was complete. */
function keptAliveGet(port: number, agent: Agent): Promise<{ status: number; at: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, at: performance.now() }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('stopping', { timeout: 60_000 }, () => {
  const dir = tempDir('hcd-stop-');
  after(() => dir.cleanup());

  it('finishes the answer in flight, then logs "stopped" and exits promptly', async () => {
    const config = writeConfig(
      dir.path,
      `[healthcheckd]\nport = 0\nbind = 127.0.0.1\npiddir = ${dir.path}\n` +
        `spool_dir = ${join(dir.path, 'spool')}\n` +
        `[check:slow]\ncommand = sleep 0.5\n[check:quick]\ncommand = true\n`,
    );
    const daemon = await startDaemon([config]);
    const agent = new Agent({ keepAlive: true });
    try {
      // One kept-alive connection idle, one carrying an answer when the stop begins.
      const idle = await keptAliveGet(daemon.port, agent);
      assert.equal(idle.status, 200);
      const inFlight = keptAliveGet(daemon.port, new Agent({ keepAlive: true }));
      await sleep(150);
      const stoppedLine = daemon.waitFor(/\bstopped\b/, 10_000).then(() => performance.now());
      daemon.child.kill('SIGTERM');
      const answer = await inFlight;
      const stoppedAt = await stoppedLine;
      const exit = await daemon.exited;
      const exitedAt = performance.now();
      assert.equal(answer.status, 200, 'the answer in flight was not cut short');
      assert.deepEqual(exit, { code: 0, signal: null });
      const afterAnswer = Math.round(stoppedAt - answer.at);
      const afterStopped = Math.round(exitedAt - stoppedAt);
      assert.ok(afterAnswer < promptMs, `"stopped" came ${afterAnswer} ms after the last answer`);
      assert.ok(afterStopped < promptMs, `the process exited ${afterStopped} ms after "stopped"`);
    } finally {
      agent.destroy();
      await daemon.stop();
    }
  });
});
