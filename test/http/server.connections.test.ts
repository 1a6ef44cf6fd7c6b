import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { answer, type Answer } from '../../src/http/answer.js';
import { createHandler } from '../../src/http/handler.js';
import {
  createHttpServer,
  type HttpServer,
  type HttpServerOptions,
} from '../../src/http/server.js';
import { silentLogger } from '../support/checks.js';
import { eventually } from '../support/daemon.js';
import { fetchLocal } from '../support/http-client.js';
import { rawClient, statusLines, within, type RawClient } from './raw-client.js';

/** Generous bounds that only catch hangs: these machines are shared and busy. */
const hangMs = 5_000;
/** Short limits, so that a test sees a timeout fire without waiting seconds for it. */
const quick: HttpServerOptions = {
  headersTimeoutMs: 300,
  requestTimeoutMs: 300,
  keepAliveTimeoutMs: 300,
  checkingIntervalMs: 100,
  stalledWriteMs: 300,
};

let servers: HttpServer[] = [];
const clients: Socket[] = [];
afterEach(
  async () => {
    for (const socket of clients.splice(0)) socket.destroy();
    await Promise.all(servers.map((http) => http.close(1_000)));
    servers = [];
  },
  { timeout: 30_000 },
);

type Respond = () => Answer | Promise<Answer>;

/** A server answering every GET and HEAD with what `respond` gives (200 OK by default). */
async function serve(
  options: HttpServerOptions = {},
  respond: Respond = () => answer(200, 'OK'),
): Promise<{ http: HttpServer; port: number }> {
  const http = createHttpServer(
    createHandler({
      isGroup: () => false,
      respond,
      failClosed: () => answer(503, 'ERROR'),
      logger: silentLogger,
    }),
    options,
  );
  servers.push(http);
  return { http, port: await http.listen(0, '127.0.0.1') };
}

/**
 * A server whose answers wait until the test opens their gate, and one connection that has
 * sent `count` pipelined requests, all read and in flight.
 */
async function pipelinedHeld(count: number, options: HttpServerOptions = {}) {
  const gates: (() => void)[] = [];
  const { http, port } = await serve(
    options,
    () => new Promise((resolve) => gates.push(() => resolve(answer(200, 'slow')))),
  );
  const piped = await rawClient(port, clients);
  piped.socket.write('GET /1 HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(count));
  assert.ok(await eventually(() => gates.length === count, hangMs), 'the requests were read');
  assert.equal([...http.inFlight()].length, count);
  return { http, port, piped, gates };
}

/** Answers `reply()` after `ms`. */
function later(ms: number, reply: () => Answer): Respond {
  return () => new Promise((resolve) => setTimeout(() => resolve(reply()), ms));
}

async function heldConnections(http: HttpServer): Promise<number> {
  return new Promise((resolve, reject) =>
    http.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

describe('createHttpServer: every well-formed request is answered', { timeout: 30_000 }, () => {
  it(
    'answers HTTP/1.1 GET and HEAD without Host, and HTTP/1.0 without Host',
    { timeout: 15_000 },
    async () => {
      const { port } = await serve();
      for (const request of [
        'GET / HTTP/1.1\r\nConnection: close\r\n\r\n',
        'HEAD / HTTP/1.1\r\nConnection: close\r\n\r\n',
        'GET / HTTP/1.0\r\n\r\n',
      ]) {
        const client = await rawClient(port, clients);
        client.socket.write(request);
        await within(client.serverClosed, hangMs, request);
        assert.deepEqual(statusLines(client.text()), ['HTTP/1.1 200 OK'], request);
        const body = client.text().split('\r\n\r\n')[1];
        assert.equal(body, request.startsWith('HEAD') ? '' : 'OK', request);
      }
    },
  );

  it(
    'answers a client that half-closes right after its request, then closes',
    { timeout: 15_000 },
    async () => {
      // The answer takes 200 ms, so the client's FIN is in long before it.
      const { http, port } = await serve(
        {},
        later(200, () => answer(200, 'OK')),
      );
      for (const request of [
        'GET / HTTP/1.0\r\n\r\n',
        'GET / HTTP/1.1\r\n\r\n',
        'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
      ]) {
        const client = await rawClient(port, clients);
        client.socket.end(request);
        await within(client.serverClosed, hangMs, request);
        assert.deepEqual(statusLines(client.text()), ['HTTP/1.1 200 OK'], request);
        assert.ok(client.text().endsWith('\r\n\r\nOK'), request);
      }
      assert.ok(await eventually(async () => (await heldConnections(http)) === 0, hangMs));
    },
  );

  it(
    'answers every pipelined request before a half-close, in order, then closes',
    { timeout: 15_000 },
    async () => {
      let n = 0;
      const { port } = await serve(
        {},
        later(50, () => answer(200, `answer ${++n}`)),
      );
      const client = await rawClient(port, clients);
      client.socket.end('GET /a HTTP/1.1\r\n\r\nHEAD /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n');
      await within(client.serverClosed, hangMs, 'pipelined');
      assert.deepEqual(statusLines(client.text()), Array(3).fill('HTTP/1.1 200 OK'));
      assert.match(client.text(), /answer 1[\s\S]*answer 3$/);
    },
  );

  it(
    'answers CONNECT and an unknown method 405 with Allow, then closes',
    { timeout: 15_000 },
    async () => {
      const { http, port } = await serve();
      for (const request of [
        'CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n',
        'BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n',
      ]) {
        const client = await rawClient(port, clients);
        client.socket.write(request);
        await within(client.serverClosed, hangMs, request);
        assert.deepEqual(statusLines(client.text()), ['HTTP/1.1 405 Method Not Allowed'], request);
        assert.match(client.text(), /\r\nAllow: GET, HEAD\r\n/, request);
      }
      assert.ok(await eventually(async () => (await heldConnections(http)) === 0, hangMs));
      assert.equal((await fetchLocal(port, '/')).status, 200);
    },
  );
});

describe(
  'createHttpServer: a rejected request is answered and its socket destroyed',
  { timeout: 30_000 },
  () => {
    // A form error must free the socket by itself: the header timeout is set far out of reach.
    const patient = { ...quick, headersTimeoutMs: 60_000, requestTimeoutMs: 60_000 };
    const rejected: readonly (readonly [string, string, string, HttpServerOptions])[] = [
      ['garbage', '\x00\xff\x13\x37\r\n\r\n', 'HTTP/1.1 400 Bad Request', patient],
      [
        'a 20 KB header',
        `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        'HTTP/1.1 431 Request Header Fields Too Large',
        patient,
      ],
      [
        'headers that never end',
        'GET / HTTP/1.1\r\nX-Slow: a',
        'HTTP/1.1 408 Request Timeout',
        quick,
      ],
      ['no byte at all', '', 'HTTP/1.1 408 Request Timeout', quick],
    ];
    for (const [what, bytes, status, options] of rejected) {
      it(
        `${what}: ${status}, then the server holds nothing though the client keeps its side open`,
        { timeout: 15_000 },
        async () => {
          const { http, port } = await serve(options);
          const client = await rawClient(port, clients);
          if (bytes !== '') client.socket.write(bytes, 'latin1');
          await within(client.serverClosed, hangMs, what);
          assert.deepEqual(statusLines(client.text()), [status]);
          assert.match(client.text(), /\r\nConnection: close\r\n/);
          // The client never ends its side: only a destroyed server socket lets the count fall.
          assert.ok(
            await eventually(async () => (await heldConnections(http)) === 0, hangMs),
            'socket still held',
          );
          assert.equal(http.connections().open, 0);
          assert.equal(client.socket.writable, true, 'the client side was left open');
        },
      );
    }
  },
);

describe(
  'createHttpServer: idle and half-open connections are bounded in time',
  { timeout: 30_000 },
  () => {
    it(
      'closes a keep-alive connection idle past keepAliveTimeout',
      { timeout: 15_000 },
      async () => {
        const { http, port } = await serve(quick);
        const client = await rawClient(port, clients);
        client.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
        await within(client.serverClosed, hangMs, 'keep-alive idle close');
        assert.deepEqual(statusLines(client.text()), ['HTTP/1.1 200 OK']);
        assert.ok(await eventually(async () => (await heldConnections(http)) === 0, hangMs));
      },
    );

    it(
      'closes at once a connection the client half-closes without a request',
      { timeout: 15_000 },
      async () => {
        // Default timeouts (5 s): the close must come from the half-close, not from a timer.
        const { http, port } = await serve();
        const client = await rawClient(port, clients);
        const started = Date.now();
        client.socket.end();
        await within(client.serverClosed, hangMs, 'half-close without request');
        assert.equal(client.text(), '');
        assert.ok(Date.now() - started < 4_000, 'closed by the half-close, not the header timeout');
        assert.ok(await eventually(async () => (await heldConnections(http)) === 0, hangMs));
      },
    );

    it(
      'answers 400 to a request cut short by a half-close, and closes',
      { timeout: 15_000 },
      async () => {
        const { http, port } = await serve();
        const client = await rawClient(port, clients);
        client.socket.end('GET / HTTP/1.1\r\nHos');
        await within(client.serverClosed, hangMs, 'cut request');
        assert.deepEqual(statusLines(client.text()), ['HTTP/1.1 400 Bad Request']);
        assert.ok(await eventually(async () => (await heldConnections(http)) === 0, hangMs));
      },
    );

    it(
      'destroys a connection whose client asks for a large answer and never reads it',
      { timeout: 15_000 },
      async () => {
        // 32 MiB: more than loopback's socket buffers take. Later answers are small: a large
        // one takes longer than the short stall limit to drain even to a reading client.
        const big = 'x'.repeat(32 * 1024 * 1024);
        let calls = 0;
        const { http, port } = await serve(quick, () => answer(200, ++calls === 1 ? big : 'OK'));
        const client = await rawClient(port, clients);
        client.socket.pause();
        client.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
        assert.ok(await eventually(() => http.connections().stalled === 1, hangMs), 'not dropped');
        assert.ok(await eventually(async () => (await heldConnections(http)) === 0, hangMs));
        assert.equal((await fetchLocal(port, '/')).status, 200);
      },
    );
  },
);

describe(
  'createHttpServer: the connection cap reclaims idle connections',
  { timeout: 30_000 },
  () => {
    it(
      'answers a probe while one client holds far more idle connections than the cap',
      { timeout: 30_000 },
      async () => {
        const cap = 64;
        // Long header timeouts: only the cap may close these connections during the test.
        const { http, port } = await serve({
          maxConnections: cap,
          headersTimeoutMs: 60_000,
          requestTimeoutMs: 60_000,
        });
        const idle: RawClient[] = [];
        for (let i = 0; i < 500; i++) idle.push(await rawClient(port, clients));
        assert.ok(
          await eventually(() => http.connections().reclaimed === 500 - cap, hangMs),
          JSON.stringify(http.connections()),
        );
        const reply = await within(fetchLocal(port, '/'), hangMs, 'probe');
        assert.deepEqual([reply.status, reply.body], [200, 'OK']);
        assert.ok(http.connections().open <= cap);
        assert.equal(http.connections().refused, 0);
        // The oldest went first: the earliest are closed, the latest still held.
        assert.ok(
          await eventually(() => idle.slice(0, 400).every((c) => c.isServerClosed()), hangMs),
        );
        assert.ok(
          idle.slice(-cap + 1).every((c) => !c.isServerClosed()),
          'a recent connection was reclaimed',
        );
      },
    );

    it(
      'reclaims the least recently active, not the oldest: a connection just answered stays',
      { timeout: 15_000 },
      async () => {
        const cap = 8;
        const { http, port } = await serve({ maxConnections: cap });
        const keeper = await rawClient(port, clients);
        const early: RawClient[] = [];
        for (let i = 0; i < cap - 1; i++) early.push(await rawClient(port, clients));
        keeper.socket.write('GET /1 HTTP/1.1\r\nHost: x\r\n\r\n');
        assert.ok(await eventually(() => statusLines(keeper.text()).length === 1, hangMs));
        for (let i = 0; i < cap - 1; i++) await rawClient(port, clients);
        assert.ok(
          await eventually(() => early.every((c) => c.isServerClosed()), hangMs),
          'older idle ones kept',
        );
        assert.equal(
          keeper.isServerClosed(),
          false,
          'the recently answered connection was reclaimed',
        );
        keeper.socket.write('GET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        await within(keeper.serverClosed, hangMs, 'second request');
        assert.deepEqual(statusLines(keeper.text()), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
        assert.equal(http.connections().refused, 0);
      },
    );

    it(
      'never reclaims a connection whose request is being answered: the new one is refused',
      { timeout: 15_000 },
      async () => {
        const cap = 4;
        let asked = 0;
        let release = (): void => undefined;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const { http, port } = await serve({ maxConnections: cap }, async () => {
          asked += 1;
          await gate;
          return answer(200, 'slow');
        });
        const busy = await Promise.all(Array.from({ length: cap }, () => rawClient(port, clients)));
        for (const client of busy)
          client.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        assert.ok(await eventually(() => asked === cap, hangMs), 'the requests did not all arrive');
        const late = await rawClient(port, clients);
        await within(late.serverClosed, hangMs, 'refused connection');
        assert.equal(late.text(), '');
        assert.deepEqual([http.connections().refused, http.connections().reclaimed], [1, 0]);
        release();
        await within(Promise.all(busy.map((c) => c.serverClosed)), hangMs, 'busy answers');
        for (const client of busy)
          assert.deepEqual(statusLines(client.text()), ['HTTP/1.1 200 OK']);
      },
    );

    it(
      'pipelined answers keep their connection busy until the last one closes, in any order',
      { timeout: 15_000 },
      async () => {
        const { http, port, piped, gates } = await pipelinedHeld(3, { maxConnections: 2 });
        // The later two end first: queued behind the first, none has gone out yet.
        gates[2]?.();
        gates[1]?.();
        const other = await rawClient(port, clients);
        const newest = await rawClient(port, clients);
        // At the cap the idle `other` makes room, never the busy pipelined connection.
        await within(other.serverClosed, hangMs, 'idle connection reclaimed');
        assert.equal(piped.isServerClosed(), false);
        assert.equal([...http.inFlight()].length, 3);
        gates[0]?.();
        assert.ok(await eventually(() => statusLines(piped.text()).length === 3, hangMs));
        assert.ok(await eventually(() => [...http.inFlight()].length === 0, hangMs));
        assert.equal(newest.isServerClosed(), false);
        assert.deepEqual([http.connections().reclaimed, http.connections().refused], [1, 0]);
      },
    );

    it(
      'a client that resets with pipelined answers pending leaves none in flight',
      { timeout: 15_000 },
      async () => {
        const { http, piped, gates } = await pipelinedHeld(2);
        piped.socket.resetAndDestroy();
        assert.ok(await eventually(() => http.connections().open === 0, hangMs), 'still open');
        for (const gate of gates) gate();
        assert.ok(
          await eventually(() => [...http.inFlight()].length === 0, hangMs),
          'an answer of the reset connection is still listed in flight',
        );
      },
    );
  },
);
