import assert from 'node:assert/strict';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pollUntil, scratchDir, startCliChild } from '../support/cli-child.js';

/** The status code of GET / on loopback, or 0 when no answer came within 2 s. */
function statusOf(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 2_000 }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(0));
    req.end();
  });
}

/**
 * Case A-08: a background check that always passes but takes longer than max_age - interval
 * (here 1.2 s a run, every 0.4 s, max_age 3 x interval) answers 200 between its runs.
 */
describe(
  'a slow background check within its timeout never answers stale',
  { timeout: 120_000 },
  () => {
    const dir = scratchDir();
    after(() => dir.cleanup());

    it('answers 200 throughout, and logs no stale warning', { timeout: 60_000 }, async () => {
      const file = join(dir.path, 'slow.config');
      writeFileSync(
        file,
        `[healthcheckd]\nport = 0\nbind = 127.0.0.1\npiddir = ${dir.path}\nspool_dir = ${dir.path}/spool\n` +
          '[check:slow-but-fine]\ncommand = sleep 1.2\ninterval = 400ms\ntimeout = 5s\n',
      );
      const daemon = startCliChild(['run', file], { cwd: dir.path });
      try {
        let port = 0;
        assert.ok(
          await pollUntil(() => {
            port = Number(
              /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(daemon.stderr())?.[1] ?? 0,
            );
            return port > 0;
          }, 15_000),
          `the daemon did not start: ${daemon.stderr()}`,
        );
        assert.ok(
          await pollUntil(async () => (await statusOf(port)) === 200, 15_000),
          'first pass',
        );
        const codes: number[] = [];
        for (let sample = 0; sample < 40; sample += 1) {
          codes.push(await statusOf(port));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.deepEqual(
          codes.filter((code) => code !== 200),
          [],
          `answers over about 4 s: ${codes.join(' ')}`,
        );
        assert.doesNotMatch(daemon.stderr(), /is stale/);
      } finally {
        daemon.child.kill('SIGTERM');
        const stopped = await Promise.race([
          daemon.exited.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
        ]);
        if (!stopped) daemon.child.kill('SIGKILL');
      }
    });
  },
);
