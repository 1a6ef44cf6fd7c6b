import assert from 'node:assert/strict';
import { Agent, get } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { HealthcheckdError } from '../../src/errors.js';
import { answer } from '../../src/http/answer.js';
import { createHandler } from '../../src/http/handler.js';
import { createHttpServer, hardening, type HttpServer } from '../../src/http/server.js';
import { silentLogger } from '../support/checks.js';
import { fetchLocal, rawExchange } from '../support/http-client.js';

function serve(text = 'OK', delayMs = 0): HttpServer {
  return createHttpServer(
    createHandler({
      isGroup: () => false,
      respond: () =>
        delayMs === 0
          ? answer(200, text)
          : new Promise((resolve) => setTimeout(() => resolve(answer(200, text)), delayMs)),
      failClosed: () => answer(503, 'ERROR'),
      logger: silentLogger,
    }),
  );
}

describe('createHttpServer: hostile clients', () => {
  let http: HttpServer;
  let port: number;

  before(async () => {
    http = serve();
    port = await http.listen(0, '127.0.0.1');
  });

  after(() => http.close(1_000));

  it('answers 431 to a 20 KB header and keeps answering', async () => {
    const raw = await rawExchange(
      port,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    assert.match(raw, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    const reply = await fetchLocal(port, '/');
    assert.deepEqual([reply.status, reply.body], [200, 'OK']);
  });

  it('answers 400 to garbage bytes and keeps answering', async () => {
    const raw = await rawExchange(
      port,
      Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]),
    );
    assert.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
    const reply = await fetchLocal(port, '/');
    assert.equal(reply.status, 200);
  });

  it('keeps headers small', () => {
    assert.equal(http.server.maxHeadersCount, hardening.maxHeadersCount);
    // The cap is kept by reclaiming idle connections (server.connections.test.ts), not by
    // node's maxConnections, which refuses new ones: exactly what locks probes out.
    assert.ok(!(http.server.maxConnections > 0), 'node:http refuses connections past a cap');
    assert.equal(http.server.headersTimeout, hardening.headersTimeoutMs);
    assert.equal(http.server.requestTimeout, hardening.requestTimeoutMs);
  });
});

describe('createHttpServer: listen and close', () => {
  it('resolves listen() with the port it bound', async () => {
    const http = serve();
    const port = await http.listen(0, '127.0.0.1');
    try {
      assert.ok(port > 0);
      assert.equal((await fetchLocal(port, '/')).body, 'OK');
    } finally {
      await http.close(1_000);
    }
  });

  it('rejects listen() on a port in use with a HealthcheckdError that says so', async () => {
    const first = serve();
    const port = await first.listen(0, '127.0.0.1');
    const second = serve();
    try {
      await assert.rejects(second.listen(port, '127.0.0.1'), (error: unknown) => {
        assert.ok(error instanceof HealthcheckdError);
        assert.equal(error.code, 'E_LISTEN');
        assert.equal(error.exitCode, 1);
        assert.match(
          error.message,
          new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${port}: port ${port} is in use`),
        );
        return true;
      });
    } finally {
      await first.close(1_000);
      await second.close(1_000);
    }
  });

  it('rejects listen() on an address not on this host', async () => {
    const http = serve();
    await assert.rejects(http.listen(0, '192.0.2.1'), (error: unknown) => {
      assert.ok(error instanceof HealthcheckdError);
      assert.match(
        error.message,
        /^cannot listen on 192\.0\.2\.1:0: address 192\.0\.2\.1 is not on this host/,
      );
      return true;
    });
    await http.close(1_000);
  });

  it('swaps the request listener with setListener()', async () => {
    const http = serve('before');
    const port = await http.listen(0, '127.0.0.1');
    try {
      assert.equal((await fetchLocal(port, '/')).body, 'before');
      http.setListener((_req, res) => res.end('after'));
      assert.equal((await fetchLocal(port, '/')).body, 'after');
    } finally {
      await http.close(1_000);
    }
  });

  it('close() lets an answer in flight finish and does not wait for idle keep-alive sockets', async () => {
    const http = serve('slow', 200);
    const port = await http.listen(0, '127.0.0.1');
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.once('end', () => resolve());
      }).once('error', reject);
    });
    const inFlight = fetchLocal(port, '/');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await http.close(10_000);
    const took = Date.now() - started;
    const reply = await inFlight;
    agent.destroy();
    assert.deepEqual([reply.status, reply.body], [200, 'slow']);
    assert.ok(took < 3_000, `close took ${took} ms (keep-alive timeout is 5 s)`);
    assert.equal(http.server.listening, false);
  });

  it('close() on a server that never listened resolves at once', async () => {
    await serve().close(1_000);
  });
});
