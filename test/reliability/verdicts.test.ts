import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { runHttpGet } from '../../src/checks/http-get.js';
import { runTcp } from '../../src/checks/tcp.js';

/**
 * A check's verdict depends only on what it tests, never on which of two events the event
 * loop happened to see first.
 */

async function listening(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** A peer that accepts every connection and resets it at once (SO_LINGER 0 close). */
function resettingPeer(): Server {
  return createServer({ pauseOnConnect: true }, (socket) => socket.resetAndDestroy());
}

/** The same peer in another process, so the reset races the connect as on a real host. */
async function resettingPeerProcess(): Promise<{ port: number; stop: () => void }> {
  const code = `const s = require('net').createServer({ pauseOnConnect: true }, (c) => c.resetAndDestroy());
    s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { port: Number(chunk.toString().trim()), stop: () => child.kill('SIGKILL') };
}

describe(
  'tcp: an established connection passes even when the peer resets it at once',
  { timeout: 120_000 },
  () => {
    it(
      'in this process, where the reset always lands before the connect is seen',
      {
        timeout: 30_000,
      },
      async () => {
        const server = resettingPeer();
        const port = await listening(server);
        try {
          for (let run = 0; run < 50; run += 1) {
            const result = await runTcp(`127.0.0.1:${port}`, 5_000);
            assert.equal(result.status, 'pass', `run ${run}: ${result.output}`);
            assert.equal(result.output, `connected to 127.0.0.1:${port}`);
          }
        } finally {
          server.close();
        }
      },
    );

    it(
      'against a peer in another process, whichever event comes first',
      {
        timeout: 30_000,
      },
      async () => {
        const peer = await resettingPeerProcess();
        try {
          const outputs = new Set<string>();
          for (let run = 0; run < 100; run += 1) {
            const result = await runTcp(`127.0.0.1:${peer.port}`, 5_000);
            assert.equal(result.status, 'pass', `run ${run}: ${result.output}`);
            outputs.add(result.output);
          }
          assert.deepEqual([...outputs], [`connected to 127.0.0.1:${peer.port}`]);
        } finally {
          peer.stop();
        }
      },
    );

    it('a refused connection still fails', { timeout: 10_000 }, async () => {
      const server = createServer();
      const port = await listening(server);
      server.close();
      await once(server, 'close');
      const result = await runTcp(`127.0.0.1:${port}`, 5_000);
      assert.equal(result.status, 'fail');
      assert.equal(result.output, `cannot connect to 127.0.0.1:${port}: ECONNREFUSED`);
    });
  },
);

describe('http: the status decides once it has arrived', { timeout: 120_000 }, () => {
  /** A raw HTTP peer: for each request, `answer` writes to the socket. */
  async function rawPeer(answer: (socket: Socket) => void) {
    let connections = 0;
    const server = createServer((socket) => {
      connections += 1;
      socket.once('data', () => answer(socket));
      socket.on('error', () => undefined);
    });
    const port = await listening(server);
    return { url: `http://127.0.0.1:${port}/`, server, connections: () => connections };
  }

  it(
    'a reset in the middle of the body cuts the output, not the verdict',
    {
      timeout: 30_000,
    },
    async () => {
      const peer = await rawPeer((socket) =>
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf', () =>
          socket.resetAndDestroy(),
        ),
      );
      try {
        for (let run = 0; run < 20; run += 1) {
          const result = await runHttpGet(peer.url, [{ from: 200, to: 299 }], 5_000);
          assert.equal(result.status, 'pass', result.output);
          assert.equal(result.httpStatus, 200);
          assert.match(result.output, /^HTTP 200\nhalf\n\[answer cut: \w+\]$/);
        }
      } finally {
        peer.server.close();
      }
    },
  );

  it(
    'a 503 cut short still fails, and a reset before any answer fails',
    {
      timeout: 30_000,
    },
    async () => {
      const cut = await rawPeer((socket) =>
        socket.write('HTTP/1.1 503 Busy\r\nContent-Length: 100\r\n\r\nx', () =>
          socket.resetAndDestroy(),
        ),
      );
      const silent = await rawPeer((socket) => socket.resetAndDestroy());
      try {
        const busy = await runHttpGet(cut.url, [{ from: 200, to: 299 }], 5_000);
        assert.equal(busy.status, 'fail');
        assert.equal(busy.httpStatus, 503);
        const none = await runHttpGet(silent.url, [{ from: 200, to: 299 }], 5_000);
        assert.equal(none.status, 'fail');
        assert.equal(none.httpStatus, null);
        assert.match(none.output, /ECONNRESET/);
      } finally {
        cut.server.close();
        silent.server.close();
      }
    },
  );

  it(
    'every run opens its own connection: a kept-alive one cannot be closed under it',
    {
      timeout: 30_000,
    },
    async () => {
      let connections = 0;
      const server = createHttpServer((_req, res) => res.end('ok'));
      server.on('connection', () => (connections += 1));
      const port = await listening(server);
      try {
        for (let run = 0; run < 3; run += 1) {
          const result = await runHttpGet(
            `http://127.0.0.1:${port}/`,
            [{ from: 200, to: 299 }],
            5_000,
          );
          assert.equal(result.status, 'pass');
        }
        assert.equal(connections, 3);
      } finally {
        server.closeAllConnections();
        server.close();
      }
    },
  );
});
