import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { describe, it } from 'node:test';
import { asMonotonicMs } from '../../src/util/clock.js';
import { createExecutor } from '../../src/checks/execute.js';
import { createLimiter } from '../../src/checks/limiter.js';
import { createProcessTracker } from '../../src/checks/process-tracker.js';
import { definition } from '../support/checks.js';
import { close, listen, tcpListener } from '../support/listen.js';
import { eventually, sleep } from '../support/wait.js';

function executor(slots = 2, env: NodeJS.ProcessEnv = process.env) {
  const limiter = createLimiter(slots);
  const tracker = createProcessTracker();
  return { limiter, tracker, execute: createExecutor({ shell: '/bin/sh', limiter, tracker, env }) };
}

describe('createExecutor', { timeout: 30_000 }, () => {
  it('runs a command check with HEALTHCHECKD_CHECK set to its name', async () => {
    const { execute, limiter } = executor();
    const result = await execute(
      definition({ name: 'mysql-replica', target: 'printf %s "$HEALTHCHECKD_CHECK"' }),
    );
    assert.equal(result.status, 'pass');
    assert.equal(result.output, 'mysql-replica');
    assert.equal(limiter.active(), 0, 'the slot is released');
  });

  it('holds the max_concurrent slot until a timed-out group is gone, not only until the answer', async () => {
    const { execute, limiter, tracker } = executor(1);
    const result = await execute(
      definition({ target: "trap '' TERM; while :; do sleep 0.05; done", timeoutMs: 200 }),
    );
    assert.equal(result.timedOut, true);
    assert.equal(limiter.active(), 1, 'the group ignoring SIGTERM still holds the slot');
    assert.ok(await eventually(() => limiter.active() === 0), 'SIGKILL after 1 s frees it');
    assert.equal(tracker.size(), 0);
  });

  it('inherits the environment it was given', async () => {
    const { execute } = executor(2, { ...process.env, HCD_TEST_MARKER: 'inherited' });
    const result = await execute(definition({ target: 'printf %s "$HCD_TEST_MARKER"' }));
    assert.equal(result.output, 'inherited');
  });

  it('applies warn_exit_codes', async () => {
    const { execute } = executor();
    const result = await execute(definition({ target: 'exit 1', warnExitCodes: [1] }));
    assert.equal(result.status, 'warn');
  });

  it('runs a tcp check', async () => {
    const { server, port } = await tcpListener();
    const target = `127.0.0.1:${port}`;
    try {
      const { execute } = executor();
      const result = await execute(definition({ kind: 'tcp', target }));
      assert.equal(result.status, 'pass');
      assert.equal(result.output, `connected to ${target}`);
    } finally {
      await close(server);
    }
  });

  it('runs an http check against expect_status', async () => {
    const server = createHttpServer((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const target = `http://127.0.0.1:${await listen(server)}/health`;
    try {
      const { execute } = executor();
      const pass = await execute(definition({ kind: 'http', target }));
      assert.equal(pass.status, 'pass');
      assert.equal(pass.httpStatus, 204);
      const fail = await execute(
        definition({ kind: 'http', target, expectStatus: [{ from: 200, to: 200 }] }),
      );
      assert.equal(fail.status, 'fail');
    } finally {
      await close(server);
    }
  });

  it('fails a run that cannot get a slot within its timeout', async () => {
    const { execute, limiter } = executor(1);
    const held = await limiter.acquire(asMonotonicMs(performance.now() + 60_000));
    const started = Date.now();
    const result = await execute(definition({ timeoutMs: 100 }));
    const elapsed = Date.now() - started;
    held?.();
    assert.equal(result.status, 'fail');
    assert.equal(result.timedOut, true);
    assert.equal(
      result.output,
      '[timed out after 100 ms waiting for a free slot (max_concurrent)]',
    );
    assert.ok(elapsed < 10_000, `answered after ${elapsed} ms, not at the 100 ms timeout`);
    assert.equal(limiter.active(), 0);
    assert.equal(limiter.waiting(), 0);
  });

  it('counts the wait for a slot against the timeout', async () => {
    const { execute, limiter } = executor(1);
    const held = await limiter.acquire(asMonotonicMs(performance.now() + 60_000));
    const running = execute(definition({ target: 'sleep 60', timeoutMs: 6_000 }));
    assert.ok(await eventually(() => limiter.waiting() === 1), 'the run waits for the slot');
    await sleep(3_000);
    held?.();
    const result = await running;
    assert.equal(result.timedOut, true);
    assert.equal(result.output, '[timed out after 6000 ms; process group killed]');
    // About 3 s are left after 3 s of waiting; the whole timeout would be 6 s.
    assert.ok(
      result.durationMs < 5_000,
      `the command ran ${result.durationMs} ms: it got the whole timeout after waiting`,
    );
  });

  it('never runs more checks at once than the limiter allows', async () => {
    const limiter = createLimiter(2);
    let peak = 0;
    // Every grant is seen as it happens, however late the event loop gets to it.
    const watched = {
      ...limiter,
      acquire: async (deadline: Parameters<typeof limiter.acquire>[0]) => {
        const release = await limiter.acquire(deadline);
        peak = Math.max(peak, limiter.active());
        return release;
      },
    };
    const execute = createExecutor({
      shell: '/bin/sh',
      limiter: watched,
      tracker: createProcessTracker(),
      env: process.env,
    });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => execute(definition({ target: 'sleep 0.1' }))),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      Array(5).fill('pass'),
    );
    assert.equal(peak, 2);
    assert.equal(limiter.active(), 0);
  });
});
