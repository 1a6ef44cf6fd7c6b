import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { asMonotonicMs } from '../../src/util/clock.js';
import { createExecutor } from '../../src/checks/execute.js';
import { createLimiter } from '../../src/checks/limiter.js';
import { createProcessTracker } from '../../src/checks/process-tracker.js';
import { definition } from '../support/checks.js';

function executor(slots = 2, env: NodeJS.ProcessEnv = process.env) {
  const limiter = createLimiter(slots);
  const tracker = createProcessTracker();
  return { limiter, tracker, execute: createExecutor({ shell: '/bin/sh', limiter, tracker, env }) };
}

describe('createExecutor', () => {
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
    const deadline = Date.now() + 5_000;
    while (limiter.active() > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(limiter.active(), 0, 'SIGKILL after 1 s frees it');
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
    const server = createServer((socket) => socket.resume());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { execute } = executor();
      const result = await execute(definition({ kind: 'tcp', target }));
      assert.equal(result.status, 'pass');
      assert.equal(result.output, `connected to ${target}`);
    } finally {
      server.close();
    }
  });

  it('runs an http check against expect_status', async () => {
    const server = createHttpServer((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
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
      server.close();
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
    assert.ok(elapsed < 2_000, `answered after ${elapsed} ms`);
    assert.equal(limiter.active(), 0);
    assert.equal(limiter.waiting(), 0);
  });

  it('counts the wait for a slot against the timeout', async () => {
    const { execute, limiter } = executor(1);
    const held = await limiter.acquire(asMonotonicMs(performance.now() + 60_000));
    const running = execute(definition({ target: 'sleep 5', timeoutMs: 800 }));
    await new Promise((resolve) => setTimeout(resolve, 400));
    held?.();
    const result = await running;
    assert.equal(result.timedOut, true);
    assert.equal(result.output, '[timed out after 800 ms; process group killed]');
    assert.ok(
      result.durationMs < 800,
      `the command ran ${result.durationMs} ms: it got the whole timeout after waiting`,
    );
  });

  it('never runs more checks at once than the limiter allows', async () => {
    const { execute, limiter } = executor(2);
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, limiter.active())), 5);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => execute(definition({ target: 'sleep 0.1' }))),
    );
    clearInterval(watch);
    assert.deepEqual(
      results.map((r) => r.status),
      Array(5).fill('pass'),
    );
    assert.equal(peak, 2);
    assert.equal(limiter.active(), 0);
  });
});
