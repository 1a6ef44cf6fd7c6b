import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createAgentServer } from '../../src/agent/server.js';
import { open, readAll } from '../support/inprocess.js';

const silent = pino({ level: 'silent' });
/** A grace far longer than any bound below: a close that waits for it fails the test. */
const longGraceMs = 10_000;
const promptMs = 3_000;

describe('the agent server: close(graceMs)', { timeout: 30_000 }, () => {
  it('a line still being computed goes out within the grace, then the close ends', async () => {
    const server = createAgentServer({
      line: () => sleep(300).then(() => 'up 50%\n'),
      logger: silent,
    });
    const port = await server.listen(0, '127.0.0.1');
    const socket = await open(port);
    const text = readAll(socket);
    await sleep(50);
    const started = performance.now();
    await server.close(longGraceMs);
    const tookMs = performance.now() - started;
    assert.equal(await text, 'up 50%\n');
    assert.ok(tookMs < promptMs, `the close took ${Math.round(tookMs)} ms`);
  });

  it('a client that got its line but keeps its side open does not hold the close', async () => {
    const server = createAgentServer({ line: () => 'up\n', logger: silent });
    const port = await server.listen(0, '127.0.0.1');
    const socket = await open(port);
    socket.allowHalfOpen = true;
    const text = readAll(socket);
    assert.equal(await text, 'up\n');
    const started = performance.now();
    await server.close(longGraceMs);
    assert.ok(performance.now() - started < promptMs);
    socket.destroy();
  });

  it('a line that never comes is cut when the grace runs out', async () => {
    const server = createAgentServer({ line: () => new Promise<string>(() => {}), logger: silent });
    const port = await server.listen(0, '127.0.0.1');
    const socket = await open(port);
    const closed = once(socket, 'close');
    await server.close(200);
    await closed;
  });
});
