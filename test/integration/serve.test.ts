import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { type RunningDaemon, startDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { repoRoot, tempDir } from '../support/paths.js';
import { requireProgram } from '../support/programs.js';

const run = promisify(execFile);

describe('the seed example (random_example.config)', { timeout: 60_000 }, () => {
  const dir = tempDir();
  let daemon: RunningDaemon;
  before(async () => {
    const config = join(repoRoot, 'examples', 'random_example.config');
    daemon = await startDaemon([config, '--port', '0', '--pidfile', join(dir.path, 'demo.pid')]);
  });
  after(async () => {
    await daemon.stop();
    dir.cleanup();
  });

  it(
    'answers curl -I with a mix of 200 OK and 503 Service Unavailable',
    { skip: requireProgram('curl') },
    async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 40 && seen.size < 2; i += 1) {
        const { stdout } = await run('curl', ['-sI', `http://localhost:${daemon.port}/`]);
        const statusLine = stdout.split('\r\n')[0] ?? '';
        assert.match(statusLine, /^HTTP\/1\.1 (200 OK|503 Service Unavailable)$/);
        assert.match(stdout, /cache-control: no-store/i);
        seen.add(statusLine);
      }
      assert.deepEqual([...seen].sort(), ['HTTP/1.1 200 OK', 'HTTP/1.1 503 Service Unavailable']);
    },
  );

  it('answers GET with OK for 200 and ERROR for 503, on any path', async () => {
    const bodies = new Set<string>();
    for (let i = 0; i < 40 && bodies.size < 2; i += 1) {
      const reply = await httpRequest(daemon.port, { path: `/any/path/${i}?x=1` });
      assert.equal(reply.body, reply.status === 200 ? 'OK' : 'ERROR');
      assert.ok([200, 503].includes(reply.status));
      assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8');
      bodies.add(reply.body);
    }
    assert.deepEqual([...bodies].sort(), ['ERROR', 'OK']);
  });

  it('answers HEAD with the status and headers but no body', async () => {
    const reply = await httpRequest(daemon.port, { method: 'HEAD' });
    assert.ok([200, 503].includes(reply.status));
    assert.equal(reply.body, '');
    assert.equal(reply.headers['content-length'], reply.status === 200 ? '2' : '5');
  });

  it('answers POST, PUT and DELETE with 405 and Allow: GET, HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const reply = await httpRequest(daemon.port, { method, body: 'x=1' });
      assert.equal(reply.status, 405);
      assert.equal(reply.headers.allow, 'GET, HEAD');
    }
  });
});

describe('status codes and checks from flags', { timeout: 60_000 }, () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('uses the configured status codes', async () => {
    const config = join(dir.path, 'codes.config');
    writeFileSync(
      config,
      `[healthcheckd]\nport = 0\npiddir = ${dir.path}\nstatus_fail = 504\ncommand = false\n`,
    );
    const daemon = await startDaemon([config]);
    try {
      const reply = await httpRequest(daemon.port);
      assert.equal(reply.status, 504);
      assert.equal(reply.body, 'ERROR');
    } finally {
      await daemon.stop();
    }
  });

  it('runs with checks from --command flags and no config file', async () => {
    const daemon = await startDaemon([
      '--port',
      '0',
      '--pidfile',
      join(dir.path, 'flags.pid'),
      '--command',
      'true',
      '--command',
      'exit 0',
    ]);
    try {
      const reply = await httpRequest(daemon.port);
      assert.equal(reply.status, 200);
      assert.equal(reply.body, 'OK');
      assert.match(daemon.stderr(), /command-1/);
      assert.match(daemon.stderr(), /command-2/);
    } finally {
      await daemon.stop();
    }
  });

  it('fails the aggregate when one of several checks fails', async () => {
    const daemon = await startDaemon([
      '--port',
      '0',
      '--pidfile',
      join(dir.path, 'and.pid'),
      '--command',
      'true',
      '--command',
      'exit 3',
    ]);
    try {
      const reply = await httpRequest(daemon.port);
      assert.equal(reply.status, 503);
    } finally {
      await daemon.stop();
    }
  });
});
