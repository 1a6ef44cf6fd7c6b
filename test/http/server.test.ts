import assert from 'node:assert/strict';
import { Agent, get } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { HealthcheckdError } from '../../src/errors.js';
import { answer } from '../../src/http/answer.js';
import { createHandler } from '../../src/http/handler.js';
import { createHttpServer, hardening, type HttpServer } from '../../src/http/server.js';
import { httpRequest, rawExchange } from '../support/http-client.js';
import { silentLogger } from '../support/logger.js';
import { deferred, within } from '../support/wait.js';

function serve(text = 'OK'): HttpServer {
  return createHttpServer(
    createHandler({
      isGroup: () => false,
      respond: () => answer(200, text),
      failClosed: () => answer(503, 'ERROR'),
      logger: silentLogger,
    }),
  );
}

describe('createHttpServer: hostile clients', { timeout: 30_000 }, () => {
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
    const reply = await httpRequest(port);
    assert.deepEqual([reply.status, reply.body], [200, 'OK']);
  });

  it('answers 400 to garbage bytes and keeps answering', async () => {
    const raw = await rawExchange(
      port,
      Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]),
    );
    assert.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
    const reply = await httpRequest(port);
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

describe('createHttpServer: listen and close', { timeout: 30_000 }, () => {
  it('resolves listen() with the port it bound', async () => {
    const http = serve();
    const port = await http.listen(0, '127.0.0.1');
    try {
      assert.ok(port > 0);
      assert.equal((await httpRequest(port)).body, 'OK');
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
      assert.equal((await httpRequest(port)).body, 'before');
      http.setListener((_req, res) => res.end('after'));
      assert.equal((await httpRequest(port)).body, 'after');
    } finally {
      await http.close(1_000);
    }
  });

  it('close() lets an answer in flight finish and does not wait for idle keep-alive sockets', async () => {
    const asked = deferred<void>();
    const release = deferred<void>();
    let calls = 0;
    const http = createHttpServer(
      createHandler({
        isGroup: () => false,
        respond: async () => {
          if (calls++ === 1) {
            asked.resolve();
            await release.promise;
          }
          return answer(200, 'slow');
        },
        failClosed: () => answer(503, 'ERROR'),
        logger: silentLogger,
      }),
    );
    // An idle keep-alive socket would hold close() for a minute.
    http.server.keepAliveTimeout = 60_000;
    const port = await http.listen(0, '127.0.0.1');
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.once('end', () => resolve());
      }).once('error', reject);
    });
    const inFlight = httpRequest(port);
    await asked.promise;
    const closing = http.close(60_000);
    release.resolve();
    const reply = await inFlight;
    await within(closing, 30_000, 'close despite the idle keep-alive socket');
    agent.destroy();
    assert.deepEqual([reply.status, reply.body], [200, 'slow']);
    assert.equal(http.server.listening, false);
  });

  it('close() on a server that never listened resolves at once', async () => {
    await serve().close(1_000);
  });
});
