import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { runHttpGet, statusMatches } from '../../src/checks/http-get.js';
import type { StatusRange } from '../../src/types.js';
import { close, freePort, listen } from '../support/listen.js';

const defaultExpect: readonly StatusRange[] = [{ from: 200, to: 399 }];

describe('statusMatches', { timeout: 30_000 }, () => {
  it('matches inclusive ranges', () => {
    const ranges = [
      { from: 200, to: 299 },
      { from: 404, to: 404 },
    ];
    assert.equal(statusMatches(200, ranges), true);
    assert.equal(statusMatches(299, ranges), true);
    assert.equal(statusMatches(300, ranges), false);
    assert.equal(statusMatches(404, ranges), true);
    assert.equal(statusMatches(403, ranges), false);
    assert.equal(statusMatches(200, []), false);
  });
});

describe('runHttpGet against a real server', { timeout: 30_000 }, () => {
  const requested: string[] = [];
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/ok': (_req, res) => res.end('healthy'),
    '/broken': (_req, res) => {
      res.statusCode = 500;
      res.end('database down');
    },
    '/redirect': (_req, res) => {
      res.writeHead(302, { location: '/target' });
      res.end();
    },
    '/target': (_req, res) => res.end('you followed me'),
    '/missing': (_req, res) => {
      res.statusCode = 404;
      res.end();
    },
    '/big': (_req, res) => res.end('y'.repeat(10_000)),
    '/hang': () => undefined,
    '/agent': (req, res) => res.end(`${req.method} ${req.headers['user-agent']}`),
  };
  let server: Server;
  let base: string;

  before(async () => {
    server = createServer((req, res) => {
      requested.push(req.url ?? '');
      (routes[req.url ?? ''] ?? routes['/missing']!)(req, res);
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });

  after(() => {
    server.closeAllConnections();
    return close(server);
  });

  it('passes on 200 and keeps the status and body', async () => {
    const result = await runHttpGet(`${base}/ok`, defaultExpect, 5_000);
    assert.equal(result.status, 'pass');
    assert.equal(result.httpStatus, 200);
    assert.equal(result.timedOut, false);
    assert.equal(result.output, 'HTTP 200\nhealthy');
  });

  it('sends a GET with a healthcheckd user agent', async () => {
    const result = await runHttpGet(`${base}/agent`, defaultExpect, 5_000);
    assert.equal(result.output, 'HTTP 200\nGET healthcheckd');
  });

  it('fails on 500', async () => {
    const result = await runHttpGet(`${base}/broken`, defaultExpect, 5_000);
    assert.equal(result.status, 'fail');
    assert.equal(result.httpStatus, 500);
    assert.equal(result.output, 'HTTP 500\ndatabase down');
  });

  it('does not follow a redirect: 302 passes the default 200-399 and the target is never asked', async () => {
    requested.length = 0;
    const result = await runHttpGet(`${base}/redirect`, defaultExpect, 5_000);
    assert.equal(result.status, 'pass');
    assert.equal(result.httpStatus, 302);
    assert.deepEqual(requested, ['/redirect']);
  });

  it('fails a 302 when expect_status is 200-299', async () => {
    const result = await runHttpGet(`${base}/redirect`, [{ from: 200, to: 299 }], 5_000);
    assert.equal(result.status, 'fail');
    assert.equal(result.httpStatus, 302);
  });

  it('passes a status in any of several expected ranges', async () => {
    const expect = [
      { from: 200, to: 200 },
      { from: 404, to: 404 },
    ];
    assert.equal((await runHttpGet(`${base}/missing`, expect, 5_000)).status, 'pass');
    assert.equal((await runHttpGet(`${base}/ok`, expect, 5_000)).status, 'pass');
    assert.equal((await runHttpGet(`${base}/redirect`, expect, 5_000)).status, 'fail');
  });

  it('caps a long body at 4 KiB', async () => {
    const result = await runHttpGet(`${base}/big`, defaultExpect, 5_000);
    assert.equal(result.output, `HTTP 200\n${'y'.repeat(4096)}\n[Captured 4096 of 10000 bytes]`);
  });

  it('fails at the timeout when the server never answers', async () => {
    const started = Date.now();
    const result = await runHttpGet(`${base}/hang`, defaultExpect, 300);
    const elapsed = Date.now() - started;
    assert.equal(result.status, 'fail');
    assert.equal(result.timedOut, true);
    assert.equal(result.httpStatus, null);
    assert.equal(result.output, `no answer from ${base}/hang within 300 ms`);
    assert.ok(elapsed < 10_000, `answered after ${elapsed} ms, not at the 300 ms timeout`);
  });

  it('resolves, never rejects, for an https URL written in capitals', {}, async () => {
    const url = `${base.replace('http:', 'HTTPS:')}/ok`;
    const result = await runHttpGet(url, defaultExpect, 2_000);
    assert.equal(result.status, 'fail', 'a plain HTTP server cannot pass a TLS check');
    assert.match(result.output, /^GET HTTPS:\/\/127\.0\.0\.1:\d+\/ok: /);
  });

  it('fails with the error code when nothing listens', async () => {
    const url = `http://127.0.0.1:${await freePort()}/`;
    const result = await runHttpGet(url, defaultExpect, 5_000);
    assert.equal(result.status, 'fail');
    assert.equal(result.timedOut, false);
    assert.equal(result.httpStatus, null);
    assert.equal(result.output, `GET ${url}: ECONNREFUSED`);
  });
});
