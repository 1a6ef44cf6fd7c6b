import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHttpEndpoint } from '../../src/daemon/http-endpoint.js';
import { get } from '../support/inprocess.js';

/** A grace far longer than any bound below: a close that waits for it fails the test. */
const longGraceMs = 10_000;
/** Generous on a busy machine, still far below `longGraceMs`. */
const promptMs = 3_000;

/** GET over `agent`, resolving with the status, the Connection header and the body. */
function fetchKept(port: number, agent: Agent) {
  return new Promise<{ status: number; connection: string; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection ?? '', body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the HTTP endpoint closing', { timeout: 30_000 }, () => {
  it('an answer in flight goes out whole with Connection: close, and the close ends with it', async () => {
    const endpoint = createHttpEndpoint((_req, res) => {
      setTimeout(() => res.end('late but whole'), 300);
    });
    const port = await endpoint.listen(0, '127.0.0.1');
    const agent = new Agent({ keepAlive: true });
    try {
      const reply = fetchKept(port, agent);
      await sleep(50);
      const started = performance.now();
      await endpoint.close(longGraceMs);
      const tookMs = performance.now() - started;
      assert.deepEqual(await reply, { status: 200, connection: 'close', body: 'late but whole' });
      assert.ok(tookMs < promptMs, `the close took ${Math.round(tookMs)} ms`);
    } finally {
      agent.destroy();
    }
  });

  it('headers already out: the connection ends once the answer is', async () => {
    const endpoint = createHttpEndpoint((_req, res) => {
      res.writeHead(200, { 'content-length': '4' });
      res.write('ab');
      setTimeout(() => res.end('cd'), 300);
    });
    const port = await endpoint.listen(0, '127.0.0.1');
    const agent = new Agent({ keepAlive: true });
    try {
      const reply = fetchKept(port, agent);
      await sleep(100);
      const started = performance.now();
      await endpoint.close(longGraceMs);
      const tookMs = performance.now() - started;
      assert.equal((await reply).body, 'abcd');
      assert.ok(tookMs < promptMs, `the close took ${Math.round(tookMs)} ms`);
    } finally {
      agent.destroy();
    }
  });

  it('an idle keep-alive connection does not hold the close', async () => {
    const endpoint = createHttpEndpoint((_req, res) => res.end('ok'));
    const port = await endpoint.listen(0, '127.0.0.1');
    const agent = new Agent({ keepAlive: true });
    try {
      assert.equal((await get(port, { agent })).body, 'ok');
      const started = performance.now();
      await endpoint.close(longGraceMs);
      const tookMs = performance.now() - started;
      assert.ok(tookMs < promptMs, `the close took ${Math.round(tookMs)} ms`);
    } finally {
      agent.destroy();
    }
  });

  it('listens again after a close, keeping connections alive as before', async () => {
    const endpoint = createHttpEndpoint((_req, res) => res.end('ok'));
    const port = await endpoint.listen(0, '127.0.0.1');
    await endpoint.close(0);
    assert.equal(await endpoint.listen(port, '127.0.0.1'), port);
    const agent = new Agent({ keepAlive: true });
    try {
      assert.equal((await fetchKept(port, agent)).connection, 'keep-alive');
    } finally {
      agent.destroy();
      await endpoint.close(0);
    }
  });
});
