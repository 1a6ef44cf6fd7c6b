import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, tempDir, writeConfig } from '../support/daemon.js';
import {
  answer,
  answerDoc,
  chunkedCut,
  cutShort,
  healthDoc,
  silent,
  startFakeDaemon,
  trickle,
  type Script,
} from '../support/fake-daemon.js';

/**
 * The real `healthcheckd status` CLI against a fake daemon on loopback that misbehaves: every
 * answer short of a complete healthcheckd document exits 3 with the reason, never 0, never hangs.
 */
describe('healthcheckd status against a daemon that misbehaves', { timeout: 120_000 }, () => {
  const dir = tempDir('hcd-status-cli-');
  after(() => dir.cleanup());

  async function status(
    script: Script,
  ): Promise<{ code: number | null; stdout: string; ms: number }> {
    const fake = await startFakeDaemon(script);
    try {
      const config = writeConfig(
        dir.path,
        `[healthcheckd]\nport = ${fake.port}\nbind = 127.0.0.1\nspool_dir = ${join(dir.path, 'spool')}\ncommand = true\n`,
        `status-${fake.port}.config`,
      );
      const started = Date.now();
      const result = await runCli(['status', config], { timeoutMs: 25_000 });
      return { code: result.code, stdout: result.stdout + result.stderr, ms: Date.now() - started };
    } finally {
      await fake.close();
    }
  }

  const valid = JSON.stringify(healthDoc('pass'));

  for (const [name, script, reason] of [
    [
      'R-06: an answer cut short',
      cutShort(2000, '{"status":"fail","checks":{"db":[{"status":"fa'),
      /cut short: the connection closed after 46 of 2000 body bytes/,
    ],
    ['a chunked answer cut short', chunkedCut(valid.slice(0, 30)), /cut short/],
    [
      'JSON from something else on the port',
      answer(200, '{"status":"pass","checks":{}}', 'application/json'),
      /no description "healthcheckd"/,
    ],
    [
      'a web page on the port',
      answer(200, '<h1>It works!</h1>', 'text/html; charset=utf-8'),
      /content-type "text\/html; charset=utf-8", not health\+json/,
    ],
    [
      'an answer of 2 MiB',
      answer(200, Buffer.alloc(2 * 1024 * 1024, 0x20)),
      /more than the 1048576 read/,
    ],
    ['not HTTP at all', (socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'), /Parse Error/],
  ] as const satisfies ReadonlyArray<readonly [string, Script, RegExp]>) {
    it(`${name}: exit 3 with the reason`, { timeout: 30_000 }, async () => {
      const result = await status(script);
      assert.equal(result.code, 3, result.stdout);
      assert.match(
        result.stdout,
        /^daemon: (unusable answer|no answer) from http:\/\/127\.0\.0\.1:\d+\//m,
      );
      assert.match(result.stdout, reason);
    });
  }

  it(
    'an answer that trickles, and one that never comes: exit 3 at the 10 s deadline',
    { timeout: 60_000 },
    async () => {
      const [trickled, never] = await Promise.all([status(trickle(valid, 250)), status(silent)]);
      for (const result of [trickled, never]) {
        assert.equal(result.code, 3, result.stdout);
        assert.match(result.stdout, /\(no complete answer within 10 s\)$/m);
        assert.ok(result.ms >= 9_000 && result.ms < 24_000, `took ${result.ms} ms`);
      }
      assert.match(trickled.stdout, /^daemon: unusable answer/m);
      assert.match(never.stdout, /^daemon: no answer/m);
    },
  );

  it(
    'a complete healthcheckd answer with hostile check names: its status, every name shown',
    { timeout: 30_000 },
    async () => {
      // Written out: an object literal's __proto__ would set a prototype, not name a check.
      const body =
        '{"status":"warn","description":"healthcheckd","checks":{' +
        '"__proto__":[{"status":"warn","durationMs":2,"output":"slow\\u001b[31m"}],' +
        '"constructor":[{"status":"pass","durationMs":1,"output":""}]}}';
      const result = await status(answer(200, body));
      assert.equal(result.code, 1, result.stdout);
      assert.match(result.stdout, /^ {2}__proto__ +WARN +2 ms {2}slow\\x1b\[31m$/m);
      assert.match(result.stdout, /^ {2}constructor +PASS +1 ms$/m);
    },
  );

  it('a healthy daemon still gives 0, a failing one 2', { timeout: 30_000 }, async () => {
    assert.equal((await status(answerDoc(healthDoc('pass')))).code, 0);
    assert.equal((await status(answerDoc(healthDoc('fail')))).code, 2);
  });
});
