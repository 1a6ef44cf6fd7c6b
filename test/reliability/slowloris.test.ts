import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { daemonConfig, type RunningDaemon, startDaemon, stopDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { tempDir } from '../support/paths.js';
import { eventually } from '../support/wait.js';

const slowSockets = 200;
const byteEveryMs = 500;
const probes = 50;
/** The daemon's headersTimeout is 5 s, checked every second: 15 s is a generous bound. */
const closedWithinMs = 15_000;
/** A request that never ends: the headers go on forever, one byte at a time. */
const endless = `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(1_000)}`;

interface SlowClient {
  readonly socket: Socket;
  openedAt: number;
  closedAt: number | null;
  sent: number;
  /** What the server wrote before closing (latin1). */
  received: string;
}

function openSlow(port: number): Promise<SlowClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const client: SlowClient = { socket, openedAt: 0, closedAt: null, sent: 0, received: '' };
    socket.on('data', (chunk: Buffer) => (client.received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.once('error', reject);
    socket.once('close', () => (client.closedAt = Date.now()));
    socket.once('connect', () => {
      client.openedAt = Date.now();
      socket.write(endless.charAt(0));
      client.sent = 1;
      resolve(client);
    });
  });
}

function dripOneByte(clients: readonly SlowClient[]): void {
  for (const client of clients) {
    if (client.closedAt !== null || client.socket.destroyed) continue;
    client.socket.write(endless.charAt(client.sent % endless.length));
    client.sent += 1;
  }
}

describe('slowloris', { timeout: 60_000 }, () => {
  const dir = tempDir('hcd-slowloris-');
  let daemon: RunningDaemon | undefined;
  const clients: SlowClient[] = [];
  let drip: NodeJS.Timeout | undefined;
  after(async () => {
    clearInterval(drip);
    for (const client of clients) client.socket.destroy();
    await stopDaemon(daemon);
    dir.cleanup();
  });

  it(`answers ${probes} probes while ${slowSockets} connections trickle headers, then closes them`, async () => {
    daemon = await startDaemon([daemonConfig(dir.path, 'slow', 'command = true\n')], {
      cwd: dir.path,
    });
    const { port } = daemon;
    for (let i = 0; i < slowSockets; i++) clients.push(await openSlow(port));
    drip = setInterval(() => dripOneByte(clients), byteEveryMs);
    await new Promise((resolve) => setTimeout(resolve, 2 * byteEveryMs + 100));
    const open = (): number => clients.filter((client) => client.closedAt === null).length;
    assert.equal(open(), slowSockets, 'the slow connections are held, not refused');

    for (let i = 0; i < probes; i++) {
      const started = Date.now();
      const reply = await httpRequest(port, { timeoutMs: 10_000 });
      const took = Date.now() - started;
      assert.equal(reply.status, 200, `probe ${i}`);
      assert.ok(took < 2_000, `probe ${i} took ${took} ms while slow clients hung`);
    }
    assert.ok(
      open() >= slowSockets / 2,
      `only ${open()} slow connections were still hanging when the probes ended`,
    );

    assert.ok(
      await eventually(() => open() === 0, closedWithinMs, 100),
      `${open()} slow connections still open after ${closedWithinMs} ms`,
    );
    const slowest = Math.max(...clients.map((client) => (client.closedAt ?? 0) - client.openedAt));
    assert.ok(slowest < closedWithinMs, `a slow connection stayed open ${slowest} ms`);
  });

  it('answers the timed-out requests 408 Request Timeout before closing them', () => {
    assert.equal(clients.length, slowSockets, 'the test above ran');
    const statuses = new Set(clients.map((client) => client.received.slice(0, 12)));
    assert.deepEqual([...statuses], ['HTTP/1.1 408']);
  });
});
