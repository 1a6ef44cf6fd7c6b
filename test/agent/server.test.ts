import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { createAgentServer, failClosedLine, type AgentServerDeps } from '../../src/agent/server.js';
import { HealthcheckdError } from '../../src/errors.js';
import { agentRead, open, readAll } from '../support/agent-client.js';
import { listen } from '../support/listen.js';
import { memoryLogger, silentLogger } from '../support/logger.js';
import { deferred, eventually, sleep, within } from '../support/wait.js';

const closers: ((graceMs: number) => Promise<void>)[] = [];
after(
  async () => {
    await Promise.all(closers.map((close) => close(0)));
  },
  { timeout: 30_000 },
);

async function start(overrides: Partial<AgentServerDeps> = {}): Promise<number> {
  const server = createAgentServer({
    line: () => 'up ready 73%\n',
    logger: silentLogger,
    ...overrides,
  });
  closers.push(server.close);
  return server.listen(0, '127.0.0.1');
}

describe('createAgentServer', { timeout: 30_000 }, () => {
  it('sends exactly one line, then EOF', async () => {
    const port = await start();
    assert.equal(await agentRead(port), 'up ready 73%\n');
  });

  it('answers 200 concurrent connections', async () => {
    let calls = 0;
    const port = await start({ line: () => `up ready ${(calls++ % 100) + 1}%\n` });
    const lines = await Promise.all(Array.from({ length: 200 }, () => agentRead(port)));
    assert.equal(lines.length, 200);
    for (const line of lines) assert.match(line, /^up ready \d+%\n$/);
    assert.equal(calls, 200);
  });

  it('survives a client that resets at once, and serves the next one', async () => {
    const { logger, lines } = memoryLogger();
    const port = await start({
      logger,
      line: async () => {
        await sleep(30); // the reset lands before the answer is written
        return 'up ready\n';
      },
    });
    for (let i = 0; i < 5; i += 1) {
      const socket = await open(port);
      socket.resetAndDestroy();
    }
    await sleep(100);
    assert.equal(await agentRead(port), 'up ready\n');
    const loud = lines().filter((line) => Number(line.level) >= 40);
    assert.deepEqual(loud, [], 'a reset is normal: nothing above debug');
  });

  it('is not stalled by a client that never reads or writes', async () => {
    // The silent client is dropped only after a minute: an answer within 20 s did not wait.
    const port = await start({ timeoutMs: 60_000 });
    const silent = await open(port);
    silent.pause();
    assert.equal(await within(agentRead(port), 20_000), 'up ready 73%\n');
    silent.destroy();
  });

  it('closes a lingering client at the deadline, freeing its slot', async () => {
    const port = await start({ maxConnections: 1, timeoutMs: 200 });
    const lingering = await open(port);
    lingering.pause(); // never reads, never closes its side
    const dropped = await open(port);
    assert.equal(await readAll(dropped).catch(() => ''), '', 'over the cap: no line');
    dropped.destroy();
    // Once the deadline drops the lingering client, the next one gets its slot.
    let line = '';
    const served = async (): Promise<boolean> =>
      (line = await agentRead(port).catch(() => '')) === 'up ready 73%\n';
    assert.ok(await eventually(served), `after the deadline: ${JSON.stringify(line)}`);
    lingering.destroy();
  });

  it('ignores what a client sends, and lets go of it once answered', async () => {
    let calls = 0;
    // One slot, and a deadline (a minute) that cannot be what frees it within the test.
    const port = await start({
      maxConnections: 1,
      timeoutMs: 60_000,
      line: () => (calls++, 'drain\n'),
    });
    const socket = await open(port);
    const text = readAll(socket);
    socket.end('up\n\u0000\xff garbage 100%\r\n'.repeat(1_000));
    assert.equal(await text, 'drain\n');
    socket.destroy();
    // The next client is served only once the first one was let go.
    const served = async (): Promise<boolean> =>
      (await agentRead(port).catch(() => '')) === 'drain\n';
    assert.ok(await eventually(served, 20_000), 'the slot was freed');
    assert.equal(calls, 2);
  });

  it('answers a client that half-closes right away (echo | nc)', async () => {
    const port = await start({
      line: async () => {
        await sleep(50);
        return 'up ready 9%\n';
      },
    });
    const socket = await open(port);
    const text = readAll(socket);
    socket.end('hello\n');
    assert.equal(await text, 'up ready 9%\n');
    socket.destroy();
  });

  it('fails closed when line() throws or rejects, and logs at error', async () => {
    const { logger, lines } = memoryLogger();
    const port = await start({
      logger,
      line: () => {
        throw new Error('evaluate exploded');
      },
    });
    assert.equal(await agentRead(port), failClosedLine);
    assert.equal(failClosedLine, 'down #internal error\n');
    const errors = lines().filter((line) => line.level === 50);
    assert.equal(errors.length, 1);
    const rejecting = await start({ line: () => Promise.reject(new Error('no')) });
    assert.equal(await agentRead(rejecting), 'down #internal error\n');
  });

  it('does not hold other answers behind a slow line()', async () => {
    // The first line() answers only once the second client has its answer: were answers
    // served one after another, neither would come.
    const slowAsked = deferred<void>();
    const fastAnswered = deferred<void>();
    let calls = 0;
    const port = await start({
      line: async () => {
        if (calls++ > 0) return 'fast\n';
        slowAsked.resolve();
        await fastAnswered.promise;
        return 'slow\n';
      },
    });
    const order: string[] = [];
    const slow = agentRead(port).then((line) => order.push(line));
    await slowAsked.promise;
    order.push(await agentRead(port));
    fastAnswered.resolve();
    await slow;
    assert.deepEqual(order, ['fast\n', 'slow\n']);
  });

  it('answers slow lines in parallel, not one after another', async () => {
    // No line() answers before all 20 have been asked: only parallel answers can finish.
    const all = deferred<void>();
    let asked = 0;
    const port = await start({
      line: async () => {
        if (++asked === 20) all.resolve();
        await all.promise;
        return 'up ready\n';
      },
    });
    const lines = await Promise.all(Array.from({ length: 20 }, () => agentRead(port)));
    assert.deepEqual(lines, Array(20).fill('up ready\n'));
  });

  it('swaps the line source without rebinding', async () => {
    const server = createAgentServer({ line: () => 'up ready\n', logger: silentLogger });
    closers.push(server.close);
    const port = await server.listen(0, '127.0.0.1');
    server.setLine(() => 'maint\n');
    assert.equal(await agentRead(port), 'maint\n');
  });

  it('rejects with E_LISTEN when the port is in use', async () => {
    const other = createServer();
    const port = await listen(other);
    try {
      const server = createAgentServer({ line: () => 'up\n', logger: silentLogger });
      await assert.rejects(server.listen(port, '127.0.0.1'), (error: unknown) => {
        assert.ok(error instanceof HealthcheckdError);
        assert.equal(error.code, 'E_LISTEN');
        assert.equal(error.exitCode, 1);
        assert.match(error.message, new RegExp(`agent port ${port} is in use`));
        return true;
      });
      await server.close(0);
    } finally {
      other.close();
    }
  });

  it('close(0) stops accepting and destroys open connections', async () => {
    const server = createAgentServer({
      line: () => new Promise<string>(() => undefined),
      logger: silentLogger,
    });
    const port = await server.listen(0, '127.0.0.1');
    const socket = await open(port);
    const closed = once(socket, 'close');
    // line() never answers: close() must not wait for it.
    await within(server.close(0), 20_000, 'close');
    await within(closed, 20_000, 'close of the open connection');
    await assert.rejects(open(port), /ECONNREFUSED/);
  });
});
