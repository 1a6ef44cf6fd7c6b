/**
 * The CLI in process, through `main(argv, io)`: what it writes to io.stdout and io.stderr and
 * the exit code it resolves with. The checks here are TCP checks against listeners of the test,
 * so that nothing but the test process runs. The daemon (`run`) is tested as a child process in
 * test/integration/.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { main, type CliIo } from '../../src/cli/main.js';
import { close, freePort, tcpListener } from '../support/listen.js';
import { tempDir, writeConfig } from '../support/paths.js';

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs main with an io that keeps what it is given; exit() must never be called. */
async function cli(...argv: string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    exit: (code) => {
      throw new Error(`main called io.exit(${code}); only cli() may`);
    },
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe('main(argv, io)', { timeout: 60_000 }, () => {
  const dir = tempDir('hcd-main-');
  let listener: { server: Server; port: number };
  let closedPort = 0;
  const config = (name: string, body: string): string =>
    writeConfig(
      dir.path,
      `[healthcheckd]\nspool_dir = ${dir.path}/spool\n${body}`,
      `${name}.config`,
    );
  before(async () => {
    listener = await tcpListener();
    closedPort = await freePort();
  });
  after(async () => {
    await close(listener.server);
    dir.cleanup();
  });
  const up = () => `tcp = 127.0.0.1:${listener.port}`;
  const down = () => `tcp = 127.0.0.1:${closedPort}`;

  describe('validate', () => {
    it('prints the resolved config and exits 0', async () => {
      const file = config('good', `port = 8080\n[check:db]\n${up()}\ntimeout = 2s\n`);
      const result = await cli('validate', file);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      assert.match(result.stdout, /^\[healthcheckd\]$/m);
      assert.match(result.stdout, /^port = 8080$/m);
      assert.match(result.stdout, /^\[check:db\]$/m);
      assert.match(result.stdout, /^timeout = 2s$/m);
    });

    it('applies flags over the file', async () => {
      const file = config('flags', `port = 8080\n[check:db]\n${up()}\n`);
      const result = await cli('validate', file, '--port', '9123', '--timeout', '750ms');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^port = 9123$/m);
      assert.match(result.stdout, /^timeout = 750ms$/m);
    });

    it('exits 78 naming file, line and every problem, and prints nothing on stdout', async () => {
      const file = config('bad', 'port = abc\ncomand = true\n');
      const result = await cli('validate', file);
      assert.equal(result.code, 78);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^healthcheckd: /);
      assert.match(result.stderr, new RegExp(`\\n  ${file}:3: .*port.*found "abc"`));
      assert.match(result.stderr, new RegExp(`\\n  ${file}:4: .*did you mean "command"`));
    });

    it('exits 78 for a config file that does not exist', async () => {
      const result = await cli('validate', `${dir.path}/missing.config`);
      assert.equal(result.code, 78);
      assert.match(result.stderr, /missing\.config/);
    });
  });

  describe('check', () => {
    it('exits 0 when every check passes, one line per check', async () => {
      const file = config('pass', `[check:db]\n${up()}\n[check:cache]\n${up()}\n`);
      const result = await cli('check', file);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /^db\s+PASS\s+\d+ ms\s+connected to 127\.0\.0\.1:\d+$/m);
      assert.match(result.stdout, /^cache\s+PASS/m);
    });

    it('exits 2 on a critical failure and 1 when only a non-critical check fails', async () => {
      const failing = config('fail', `[check:db]\n${down()}\n[check:web]\n${up()}\n`);
      const fail = await cli('check', failing);
      assert.equal(fail.code, 2, fail.stdout);
      assert.match(fail.stdout, /^db\s+FAIL\s+\d+ ms\s+cannot connect to .*ECONNREFUSED$/m);
      const soft = config(
        'warn',
        `[check:db]\n${down()}\ncritical = false\n[check:web]\n${up()}\n`,
      );
      assert.equal((await cli('check', soft)).code, 1);
    });

    it('runs only the checks named with --check', async () => {
      const file = config('some', `[check:db]\n${down()}\n[check:web]\n${up()}\n`);
      const result = await cli('check', file, '--check', 'web');
      assert.equal(result.code, 0, result.stdout);
      assert.doesNotMatch(result.stdout, /^db/m);
    });

    it('prints the health+json document with --json', async () => {
      const file = config('json', `[check:db]\n${up()}\n`);
      const result = await cli('check', file, '--json');
      assert.equal(result.code, 0);
      const document = JSON.parse(result.stdout) as { status: string; checks: object };
      assert.equal(document.status, 'pass');
      assert.deepEqual(Object.keys(document.checks), ['db']);
    });

    it('runs checks given as flags without a config file', async () => {
      const result = await cli('check', '--tcp', `127.0.0.1:${listener.port}`);
      assert.equal(result.code, 0, result.stdout + result.stderr);
    });

    it('exits 2 naming the configured checks when --check names none of them', async () => {
      const file = config('names', `[check:db]\n${up()}\n[check:web]\n${up()}\n`);
      const result = await cli('check', file, '--check', 'nope');
      assert.equal(result.code, 2);
      assert.match(result.stderr, /^healthcheckd: .*no check named "nope".*db, web/);
    });
  });

  describe('usage', () => {
    it('exits 2 on an unknown option or stray arguments, pointing at --help', async () => {
      for (const argv of [['--nope'], ['validate', 'a', 'b'], ['frobnicate', 'x', 'y']]) {
        const result = await cli(...argv);
        assert.equal(result.code, 2, argv.join(' '));
        assert.match(
          result.stderr,
          /^healthcheckd: .*; see healthcheckd --help\n$/,
          argv.join(' '),
        );
        assert.equal(result.stdout, '');
      }
    });

    it('exits 2 on a bad --for, before writing any flag', async () => {
      const file = config('for', `[check:db]\n${up()}\n`);
      const result = await cli('down', file, '--for', 'soon');
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--for: expected a duration such as 30m or 2h, found "soon"/);
    });

    it('exits 3 from status when no daemon answers', async () => {
      const file = config(
        'status',
        `port = ${closedPort}\nbind = 127.0.0.1\n[check:db]\n${up()}\n`,
      );
      const result = await cli('status', file);
      assert.equal(result.code, 3);
      assert.match(
        result.stdout,
        /^maintenance: none\ndaemon: no answer from http:\/\/127\.0\.0\.1:/,
      );
    });

    it('prints usage for --help and the version for --version, exit 0', async (t) => {
      // yargs prints these with console.log, not through io: take both.
      const logged: string[] = [];
      t.mock.method(console, 'log', (...parts: unknown[]) => void logged.push(parts.join(' ')));
      const help = await cli('--help');
      assert.equal(help.code, 0);
      assert.match(help.stdout + logged.join('\n'), /healthcheckd \[CONFIG\]/);
      assert.match(help.stdout + logged.join('\n'), /validate \[config\]/);
      logged.length = 0;
      const version = await cli('--version');
      assert.equal(version.code, 0);
      assert.match(version.stdout + logged.join('\n'), /^\d+\.\d+\.\d+/);
    });
  });
});
