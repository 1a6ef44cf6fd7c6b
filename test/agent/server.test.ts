import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { createAgentServer, failClosedLine, type AgentServerDeps } from '../../src/agent/server.js';
import { HealthcheckdError } from '../../src/errors.js';
import { fetchLine, memoryLogger, open, readAll, silentLogger } from '../support/agent.js';

const closers: ((graceMs: number) => Promise<void>)[] = [];
after(async () => {
  await Promise.all(closers.map((close) => close(0)));
});

async function start(overrides: Partial<AgentServerDeps> = {}): Promise<number> {
  const server = createAgentServer({
    line: () => 'up ready 73%\n',
    logger: silentLogger,
    ...overrides,
  });
  closers.push(server.close);
  return server.listen(0, '127.0.0.1');
}

describe('createAgentServer', () => {
  it('sends exactly one line, then EOF', async () => {
    const port = await start();
    assert.equal(await fetchLine(port), 'up ready 73%\n');
  });

  it('answers 200 concurrent connections', async () => {
    let calls = 0;
    const port = await start({ line: () => `up ready ${(calls++ % 100) + 1}%\n` });
    const lines = await Promise.all(Array.from({ length: 200 }, () => fetchLine(port)));
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
    assert.equal(await fetchLine(port), 'up ready\n');
    const loud = lines().filter((line) => Number(line.level) >= 40);
    assert.deepEqual(loud, [], 'a reset is normal: nothing above debug');
  });

  it('is not stalled by a client that never reads or writes', async () => {
    const port = await start();
    const idle = await open(port);
    idle.pause();
    const started = Date.now();
    assert.equal(await fetchLine(port), 'up ready 73%\n');
    assert.ok(Date.now() - started < 1_000);
    idle.destroy();
  });

  it('closes a lingering client at the deadline, freeing its slot', async () => {
    const port = await start({ maxConnections: 1, timeoutMs: 200 });
    const lingering = await open(port);
    lingering.pause(); // never reads, never closes its side
    const dropped = await open(port);
    assert.equal(await readAll(dropped).catch(() => ''), '', 'over the cap: no line');
    dropped.destroy();
    await sleep(350);
    assert.equal(await fetchLine(port), 'up ready 73%\n');
    lingering.destroy();
  });

  it('ignores what a client sends, and lets go of it once answered', async () => {
    let calls = 0;
    const port = await start({ maxConnections: 1, line: () => (calls++, 'drain\n') });
    const socket = await open(port);
    const text = readAll(socket);
    socket.end('up\n\u0000\xff garbage 100%\r\n'.repeat(1_000));
    assert.equal(await text, 'drain\n');
    socket.destroy();
    await sleep(50);
    // With a slot of one, the next client is served only if the first one was let go.
    assert.equal(await fetchLine(port), 'drain\n');
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
    assert.equal(await fetchLine(port), failClosedLine);
    assert.equal(failClosedLine, 'down #internal error\n');
    const errors = lines().filter((line) => line.level === 50);
    assert.equal(errors.length, 1);
    const rejecting = await start({ line: () => Promise.reject(new Error('no')) });
    assert.equal(await fetchLine(rejecting), 'down #internal error\n');
  });

  it('does not hold other answers behind a slow line()', async () => {
    let calls = 0;
    const port = await start({
      line: async () => {
        const first = calls++ === 0;
        if (first) await sleep(200);
        return first ? 'slow\n' : 'fast\n';
      },
    });
    const order: string[] = [];
    const slow = fetchLine(port).then((line) => order.push(line));
    await sleep(20);
    const started = Date.now();
    const fast = fetchLine(port).then((line) => order.push(line));
    await fast;
    assert.ok(Date.now() - started < 150, `fast answer took ${Date.now() - started} ms`);
    await slow;
    assert.deepEqual(order, ['fast\n', 'slow\n']);
  });

  it('answers slow lines in parallel, not one after another', async () => {
    const port = await start({
      line: async () => {
        await sleep(200);
        return 'up ready\n';
      },
    });
    const started = Date.now();
    await Promise.all(Array.from({ length: 20 }, () => fetchLine(port)));
    assert.ok(Date.now() - started < 1_000, `20 answers took ${Date.now() - started} ms`);
  });

  it('swaps the line source without rebinding', async () => {
    const server = createAgentServer({ line: () => 'up ready\n', logger: silentLogger });
    closers.push(server.close);
    const port = await server.listen(0, '127.0.0.1');
    server.setLine(() => 'maint\n');
    assert.equal(await fetchLine(port), 'maint\n');
  });

  it('rejects with E_LISTEN when the port is in use', async () => {
    const other = createServer();
    other.listen(0, '127.0.0.1');
    await once(other, 'listening');
    const { port } = other.address() as AddressInfo;
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
    const started = Date.now();
    await server.close(0);
    await closed;
    assert.ok(Date.now() - started < 1_000);
    await assert.rejects(open(port), /ECONNREFUSED/);
  });
});
