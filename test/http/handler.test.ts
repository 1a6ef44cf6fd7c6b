import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { answer, textAnswer, type Answer } from '../../src/http/answer.js';
import { createHandler, type Question } from '../../src/http/handler.js';
import { createHttpServer, type HttpServer } from '../../src/http/server.js';
import { httpRequest, rawExchange } from '../support/http-client.js';
import { memoryLogger } from '../support/logger.js';

const codes = { ok: 200, warn: 200, fail: 503, maintenance: 503 };

describe('createHandler behind a real server', { timeout: 30_000 }, () => {
  let respond: (question: Question) => Answer | Promise<Answer>;
  let answered: number[];
  let calls: number;
  const log = memoryLogger('error');
  let http: HttpServer;
  let port: number;

  /** Echoes the question as JSON, so tests can see what the handler understood. */
  const echo = (question: Question): Answer =>
    answer(200, JSON.stringify(question), 'application/json');

  before(async () => {
    http = createHttpServer(
      createHandler({
        isGroup: (name) => name === 'ready',
        respond: (question) => {
          calls += 1;
          return respond(question);
        },
        failClosed: () => textAnswer('fail', codes),
        logger: log.logger,
        onAnswer: (statusCode) => answered.push(statusCode),
      }),
    );
    port = await http.listen(0, '127.0.0.1');
  });

  beforeEach(() => {
    respond = echo;
    answered = [];
    calls = 0;
  });

  after(() => http.close(1_000));

  it('answers GET with what respond() returns, and tells it the route, Pragma and Accept', async () => {
    const reply = await httpRequest(port, {
      path: '/check/db?format=json',
      headers: { pragma: 'no-cache', accept: 'application/health+json' },
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.equal(reply.headers['cache-control'], 'no-store');
    assert.deepEqual(JSON.parse(reply.body), {
      target: { route: { kind: 'check', name: 'db' }, formatJson: true },
      noCache: true,
      accept: 'application/health+json',
    });
    assert.deepEqual(answered, [200]);
  });

  it('passes a known group and no Pragma on', async () => {
    const reply = await httpRequest(port, { path: '/ready' });
    assert.deepEqual(JSON.parse(reply.body), {
      target: { route: { kind: 'group', name: 'ready' }, formatJson: false },
      noCache: false,
      accept: '',
    });
  });

  it('answers an asynchronous respond()', async () => {
    respond = () =>
      new Promise((resolve) => setTimeout(() => resolve(textAnswer('warn', codes)), 20));
    const reply = await httpRequest(port);
    assert.deepEqual([reply.status, reply.body], [200, 'WARN']);
  });

  it('answers HEAD with the status and headers of GET and no body', async () => {
    respond = () => textAnswer('fail', codes);
    const get = await httpRequest(port);
    const raw = await rawExchange(
      port,
      'HEAD / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    const [head, body] = raw.split('\r\n\r\n');
    assert.match(head ?? '', /^HTTP\/1\.1 503 /);
    assert.match(head ?? '', new RegExp(`\\r\\ncontent-length: ${get.body.length}\\r\\n`, 'i'));
    assert.match(head ?? '', /\r\ncache-control: no-store\r\n/i);
    assert.equal(body, '', 'no body after the headers');
    assert.equal(get.body, 'ERROR');
  });

  it('answers 405 with Allow to any other method, without asking respond()', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const reply = await httpRequest(port, { method });
      assert.equal(reply.status, 405, method);
      assert.equal(reply.headers.allow, 'GET, HEAD', method);
      assert.equal(reply.body, 'Method Not Allowed');
    }
    assert.equal(calls, 0);
    assert.deepEqual(answered, [405, 405, 405, 405]);
  });

  it('closes the connection after a request that came with a body it did not read', async () => {
    const reply = await httpRequest(port, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(1_000),
    });
    assert.equal(reply.status, 405);
    assert.equal(reply.headers.connection, 'close');
  });

  it('fails closed when respond() throws, and logs why', async () => {
    respond = () => {
      throw new Error('boom');
    };
    const reply = await httpRequest(port);
    assert.deepEqual([reply.status, reply.body], [503, 'ERROR']);
    const line = log.lines().at(-1);
    assert.equal(line?.msg, 'answering a request failed; answering fail');
    assert.equal((line?.err as { message?: string } | undefined)?.message, 'boom');
  });

  it('fails closed when respond() rejects', async () => {
    respond = () => Promise.reject(new Error('later boom'));
    const reply = await httpRequest(port);
    assert.deepEqual([reply.status, reply.body], [503, 'ERROR']);
  });

  it('answers HEAD with no body when failing closed', async () => {
    respond = () => {
      throw new Error('boom');
    };
    const raw = await rawExchange(port, 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(raw, /^HTTP\/1\.1 503 /);
    assert.equal(raw.split('\r\n\r\n')[1], '');
  });

  it('reports a fail-closed answer to onAnswer like any other', {}, async () => {
    respond = () => {
      throw new Error('boom');
    };
    await httpRequest(port);
    assert.deepEqual(answered, [503]);
  });
});
