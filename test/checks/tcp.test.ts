import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runTcp, splitHostPort } from '../../src/checks/tcp.js';
import { tcpListener } from '../support/listen.js';

function connects(port: number, ms: number): Promise<{ socket: Socket; connected: boolean }> {
  const socket = connect(port, '127.0.0.1');
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ socket, connected: false }), ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve({ socket, connected: true });
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve({ socket, connected: false });
    });
  });
}

/**
 * A listener that never completes a handshake: a stopped process listening with a backlog of 1,
 * its accept queue filled by us, so the kernel drops further SYNs.
 */
async function silentListener(): Promise<{ port: number; close: () => void }> {
  const code = `require('net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, function () {
    process.stdout.write(this.address().port + '\\n');
    process.kill(process.pid, 'SIGSTOP');
  });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(chunk.toString().trim());
  const held: Socket[] = [];
  const close = (): void => {
    held.forEach((socket) => socket.destroy());
    child.kill('SIGKILL');
  };
  for (let i = 0; i < 16; i += 1) {
    const { socket, connected } = await connects(port, 1_000);
    held.push(socket);
    if (!connected) return { port, close };
  }
  close();
  throw new Error('could not fill the accept queue of the stopped listener');
}

describe('splitHostPort', { timeout: 30_000 }, () => {
  it('splits host:port', () => {
    assert.deepEqual(splitHostPort('127.0.0.1:5432'), { host: '127.0.0.1', port: 5432 });
    assert.deepEqual(splitHostPort('db.example.com:3306'), { host: 'db.example.com', port: 3306 });
  });

  it('splits a bracketed IPv6 address', () => {
    assert.deepEqual(splitHostPort('[::1]:80'), { host: '::1', port: 80 });
    assert.deepEqual(splitHostPort('[2001:db8::7]:5432'), { host: '2001:db8::7', port: 5432 });
  });
});

describe('runTcp', { timeout: 30_000 }, () => {
  it('passes against a listening port, and closes its connection', async () => {
    const { server, port } = await tcpListener();
    const closed = new Promise<void>((resolve) =>
      server.once('connection', (socket) => socket.once('close', () => resolve())),
    );
    try {
      const result = await runTcp(`127.0.0.1:${port}`, 5_000);
      assert.deepEqual(
        { ...result, durationMs: 0, endedAt: 0, time: 0 },
        {
          status: 'pass',
          exitCode: null,
          httpStatus: null,
          signal: null,
          timedOut: false,
          durationMs: 0,
          output: `connected to 127.0.0.1:${port}`,
          endedAt: 0,
          time: 0,
        },
      );
      await closed;
    } finally {
      server.close();
    }
  });

  it('passes against [::1]:port when IPv6 loopback exists', async (t) => {
    let listener: { server: Server; port: number };
    try {
      listener = await tcpListener('::1');
    } catch {
      t.skip('no IPv6 loopback here');
      return;
    }
    try {
      const result = await runTcp(`[::1]:${listener.port}`, 5_000);
      assert.equal(result.status, 'pass');
      assert.equal(result.output, `connected to [::1]:${listener.port}`);
    } finally {
      listener.server.close();
    }
  });

  it('fails with ECONNREFUSED on a closed port', async () => {
    const { server, port } = await tcpListener();
    server.close();
    await once(server, 'close');
    const result = await runTcp(`127.0.0.1:${port}`, 5_000);
    assert.equal(result.status, 'fail');
    assert.equal(result.timedOut, false);
    assert.equal(result.output, `cannot connect to 127.0.0.1:${port}: ECONNREFUSED`);
  });

  describe('against a listener that never answers', () => {
    let listener: { port: number; close: () => void } | undefined;
    before(async () => {
      listener = await silentListener();
    });
    after(() => listener?.close());

    it('fails at the timeout', async () => {
      assert.ok(listener);
      const { port } = listener;
      const started = Date.now();
      const result = await runTcp(`127.0.0.1:${port}`, 300);
      const elapsed = Date.now() - started;
      assert.equal(result.status, 'fail');
      assert.equal(result.timedOut, true);
      assert.equal(result.output, `no connection to 127.0.0.1:${port} within 300 ms`);
      assert.ok(result.durationMs >= 290, `durationMs ${result.durationMs}`);
      assert.ok(elapsed < 10_000, `answered after ${elapsed} ms, not at the 300 ms timeout`);
    });
  });
});
