import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, startCli, startDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { tempDir } from '../support/paths.js';
import { alive } from '../support/processes.js';
import { eventually } from '../support/wait.js';

describe('pidfile', { timeout: 60_000 }, () => {
  const dir = tempDir();
  after(() => dir.cleanup());
  const args = (pidfile: string) => ['--port', '0', '--pidfile', pidfile, '--command', 'true'];

  it('refuses a second daemon on the same pidfile with exit 1 naming the pid', async () => {
    const pidfile = join(dir.path, 'second.pid');
    const first = await startDaemon(args(pidfile));
    try {
      assert.equal(readFileSync(pidfile, 'utf8').trim(), String(first.pid));
      const second = await runCli(args(pidfile));
      assert.equal(second.code, 1);
      assert.match(
        second.stderr,
        new RegExp(`already running \\(pid ${first.pid}, pidfile ${pidfile}\\)`),
      );
      assert.equal((await httpRequest(first.port)).status, 200, 'the first daemon keeps answering');
    } finally {
      await first.stop();
    }
  });

  it('takes over at once from a daemon killed with SIGKILL', async () => {
    const pidfile = join(dir.path, 'killed.pid');
    const first = await startDaemon(args(pidfile));
    first.child.kill('SIGKILL');
    await first.exited;
    assert.ok(existsSync(`${pidfile}.lock`), 'kill -9 leaves the lock behind');
    const started = Date.now();
    const next = await startDaemon(args(pidfile));
    try {
      assert.ok(Date.now() - started < 5_000, 'no waiting for the 10 s stale timeout');
      assert.equal(readFileSync(pidfile, 'utf8').trim(), String(next.pid));
    } finally {
      await next.stop();
    }
  });

  it('exits 0 on SIGTERM and removes the pidfile and its lock', async () => {
    const pidfile = join(dir.path, 'term.pid');
    const daemon = await startDaemon(args(pidfile));
    const exit = await daemon.stop();
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.equal(existsSync(pidfile), false);
    assert.equal(existsSync(`${pidfile}.lock`), false);
    assert.match(daemon.stderr(), /stopped/);
  });

  it('exits 0 on SIGINT too', async () => {
    const pidfile = join(dir.path, 'int.pid');
    const daemon = await startDaemon(args(pidfile));
    daemon.child.kill('SIGINT');
    assert.deepEqual(await daemon.exited, { code: 0, signal: null });
    assert.equal(existsSync(pidfile), false);
  });

  it('replaces a symlink at the pidfile path instead of writing through it', async () => {
    const pidfile = join(dir.path, 'link.pid');
    const victim = join(dir.path, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, pidfile);
    const daemon = await startDaemon(args(pidfile));
    try {
      assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
      assert.equal(lstatSync(pidfile).isSymbolicLink(), false);
      assert.equal(readFileSync(pidfile, 'utf8').trim(), String(daemon.pid));
    } finally {
      await daemon.stop();
    }
  });

  it('exits 1 with a clear line when the pid directory does not exist', async () => {
    const result = await runCli(args(join(dir.path, 'missing-dir', 'x.pid')));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cannot write pidfile .*missing-dir\/x\.pid/);
  });

  it('exits 1 when the port is in use, and releases its pidfile', async () => {
    const first = await startDaemon(args(join(dir.path, 'a.pid')));
    try {
      const pidfile = join(dir.path, 'b.pid');
      const second = await runCli([
        '--port',
        String(first.port),
        '--pidfile',
        pidfile,
        '--command',
        'true',
      ]);
      assert.equal(second.code, 1);
      assert.match(second.stderr, new RegExp(`port ${first.port} is in use`));
      assert.equal(existsSync(pidfile), false);
    } finally {
      await first.stop();
    }
  });

  it('exits at once on a second signal while a stop is waiting', async () => {
    const pidfile = join(dir.path, 'twice.pid');
    const config = join(dir.path, 'twice.config');
    writeFileSync(
      config,
      `[healthcheckd]\nport = 0\npidfile = ${pidfile}\nshutdown_delay = 30s\ncommand = true\n`,
    );
    const daemon = startCli([config]);
    await daemon.waitFor(/listening on/);
    daemon.child.kill('SIGTERM');
    await daemon.waitFor(/stopping/);
    daemon.child.kill('SIGTERM');
    const exit = await daemon.exited;
    assert.equal(exit.code, 1);
    assert.equal(alive(daemon.pid), false);
    assert.equal(existsSync(pidfile), false);
    assert.ok(await eventually(() => !existsSync(`${pidfile}.lock`)));
  });

  it('never blocks on a FIFO at the pidfile path: replaces it at once and starts', async () => {
    const pidfile = join(dir.path, 'fifo.pid');
    execFileSync('mkfifo', [pidfile]);
    mkdirSync(`${pidfile}.lock`);
    const started = Date.now();
    const daemon = await startDaemon(args(pidfile));
    try {
      assert.ok(Date.now() - started < 8_000, 'the FIFO is never opened for a blocking read');
      assert.equal(lstatSync(pidfile).isFile(), true, 'a regular file replaced the FIFO');
      assert.equal(readFileSync(pidfile, 'utf8').trim(), String(daemon.pid));
      assert.match(daemon.stderr(), /pidfile with no live holder taken over/);
    } finally {
      await daemon.stop();
    }
  });
});
