import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCliChild, scratchDir } from '../support/cli-child.js';

describe(
  'validate warns about a background check that may go stale while it runs',
  { timeout: 120_000 },
  () => {
    const dir = scratchDir();
    after(() => dir.cleanup());

    it(
      'prints the warning on stderr with file and line, and still exits 0',
      {
        timeout: 30_000,
      },
      async () => {
        const file = join(dir.path, 'slow.config');
        writeFileSync(
          file,
          '[healthcheckd]\nport = 0\n[check:slow-but-fine]\ncommand = sleep 2.8\ninterval = 1s\ntimeout = 10s\n',
        );
        const result = await runCliChild(['validate', file]);
        assert.equal(result.code, 0, result.stderr);
        assert.match(
          result.stderr,
          new RegExp(
            `^healthcheckd: warning: ${file}:3: \\[check:slow-but-fine\\]: timeout 10s is longer than max_age - interval`,
            'm',
          ),
        );
        assert.match(result.stdout, /^\[check:slow-but-fine\]$/m, 'the resolved config is printed');
      },
    );

    it('prints no warning when the timeout fits', { timeout: 30_000 }, async () => {
      const file = join(dir.path, 'fine.config');
      writeFileSync(file, '[check:quick]\ncommand = true\ninterval = 5s\ntimeout = 2s\n');
      const result = await runCliChild(['validate', file]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
    });
  },
);
