import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  binPath,
  eventually,
  httpRequest,
  requireProgram,
  runCli,
  startDaemon,
  type HttpReply,
  type RunningDaemon,
} from '../support/daemon.js';
import { openTempDir, unprivileged, unprivilegedSkip } from '../maintenance/as-user.js';

const timeout = 60_000;
const secret = 'db_password=Hunter2-spool-test';
/** An answer within this bound; a blocked daemon never answers. */
const answerMs = 5_000;

const asJson = { path: '/?format=json', timeoutMs: answerMs };
const asHtml = { headers: { accept: 'text/html' }, timeoutMs: answerMs };

/** GET / as text, JSON and HTML. */
async function threeAnswers(port: number): Promise<HttpReply[]> {
  return [
    await httpRequest(port, { timeoutMs: answerMs }),
    await httpRequest(port, asJson),
    await httpRequest(port, asHtml),
  ];
}

describe('the daemon and status against hostile spool entries', { timeout }, () => {
  const dir = openTempDir('hcd-spool-daemon-');
  const spool = join(dir.path, 'spool');
  const config = join(dir.path, 'spool.config');
  let daemon: RunningDaemon;
  before(async () => {
    mkdirSync(spool, { mode: 0o777 });
    chmodSync(spool, 0o777);
    const text = (port: number) =>
      `[healthcheckd]\nport = ${port}\nbind = 127.0.0.1\npiddir = ${dir.path}\n` +
      `spool_dir = ${spool}\nexpose_output = false\ncommand = true\n`;
    writeFileSync(config, text(0));
    daemon = await startDaemon([config]);
    // `status` finds the daemon by the port in the config
    writeFileSync(config, text(daemon.port));
  });
  after(async () => {
    await daemon.stop();
    dir.cleanup();
  });

  const entry = (name: string) => join(spool, name);
  const settle = (reason: RegExp) =>
    eventually(
      async () => reason.test((await httpRequest(daemon.port, { timeoutMs: answerMs })).body),
      5_000,
    );

  it(
    'a FIFO named all: answers maintenance naming it, status returns, SIGTERM still works',
    {
      skip: requireProgram('mkfifo'),
    },
    async () => {
      execFileSync('mkfifo', [entry('all')]);
      try {
        assert.ok(await settle(/FIFO/), 'the daemon answers maintenance');
        for (const reply of await threeAnswers(daemon.port)) {
          assert.equal(reply.status, 503);
          assert.match(reply.body, /spool entry all is a FIFO, not a flag/);
        }
        const status = await runCli(['status', config], { timeoutMs: 15_000 });
        assert.equal(status.signal, null, 'status finished by itself');
        assert.equal(status.code, 1, status.stderr);
        assert.match(status.stdout, /maintenance: all: "spool entry all is a FIFO, not a flag"/);
      } finally {
        rmSync(entry('all'), { force: true });
      }
    },
  );

  it('a symbolic link named all is maintenance, and nothing of its target reaches an answer', async () => {
    const target = join(dir.path, 'secret.conf');
    writeFileSync(target, `${secret}\n`, { mode: 0o600 });
    symlinkSync(target, entry('all'));
    symlinkSync('/dev/zero', entry('check:default'));
    try {
      assert.ok(await settle(/symbolic link/));
      for (const reply of await threeAnswers(daemon.port)) {
        assert.equal(reply.status, 503);
        assert.doesNotMatch(reply.body, /Hunter2/);
      }
      const text = await httpRequest(daemon.port);
      assert.equal(text.body, 'MAINTENANCE: spool entry all is a symbolic link, not a flag');
      const status = await runCli(['status', config], { timeoutMs: 15_000 });
      assert.doesNotMatch(status.stdout, /Hunter2/);
      assert.match(status.stdout, /check:default: "spool entry check:default is a symbolic link/);
    } finally {
      for (const name of ['all', 'check:default']) rmSync(entry(name), { force: true });
    }
  });

  it('a flag that ends at the latest date a Date holds is answered in every format', async () => {
    const far = '+275760-09-13T00:00:00.000Z';
    writeFileSync(entry('all'), JSON.stringify({ reason: 'far', since: far, until: far }));
    try {
      assert.ok(await settle(/far/));
      for (const reply of await threeAnswers(daemon.port)) assert.equal(reply.status, 503);
      const json = JSON.parse((await httpRequest(daemon.port, asJson)).body) as {
        maintenance: { until: string };
      };
      assert.equal(json.maintenance.until, far);
      const status = await runCli(['status', config], { timeoutMs: 15_000 });
      assert.equal(status.code, 1, status.stderr);
    } finally {
      rmSync(entry('all'), { force: true });
    }
  });
});

interface LogLine {
  readonly level: number;
  readonly msg: string;
}

describe('a spool the daemon cannot list', { timeout }, () => {
  it(
    'means maintenance for every check, logged once, and again once when it recovers',
    {
      skip: unprivilegedSkip(),
    },
    async () => {
      const dir = openTempDir('hcd-spool-unlisted-');
      const spool = join(dir.path, 'spool');
      const run = join(dir.path, 'run');
      mkdirSync(run);
      mkdirSync(spool);
      if (process.getuid?.() === 0) chownSync(run, 65534, 65534);
      const config = join(dir.path, 'c.config');
      writeFileSync(
        config,
        `[healthcheckd]\nport = 0\nbind = 127.0.0.1\npiddir = ${run}\nspool_dir = ${spool}\n` +
          `log_format = json\ncommand = true\n`,
        { mode: 0o644 },
      );
      chmodSync(spool, 0o300);
      const argv = [...(unprivileged() as string[]), process.execPath, binPath, 'run', config];
      const child = spawn(argv[0] ?? '', argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const lines = (): LogLine[] =>
        log
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as LogLine);
      const count = (pattern: RegExp) => lines().filter((line) => pattern.test(line.msg)).length;
      try {
        assert.ok(await eventually(() => /listening on/.test(log), 10_000), log);
        const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log)?.[1]);
        const reply = await httpRequest(port, { timeoutMs: answerMs });
        assert.equal(reply.status, 503);
        assert.equal(reply.body, 'MAINTENANCE: spool cannot be listed (EACCES)');
        // Past one re-read of the spool (every 5 s), still one line.
        await new Promise((resolve) => setTimeout(resolve, 6_500));
        assert.equal(count(/exists but cannot be listed \(EACCES\)/), 1, log);
        assert.equal(lines().find((line) => /cannot be listed/.test(line.msg))?.level, 50);
        chmodSync(spool, 0o755);
        const recovered = async () =>
          (await httpRequest(port, { timeoutMs: answerMs })).status === 200;
        assert.ok(await eventually(recovered, 10_000), log);
        assert.equal(count(/can be listed again/), 1, log);
        assert.equal(count(/exists but cannot be listed/), 1, log);
      } finally {
        child.kill('SIGTERM');
        await exited;
        dir.cleanup();
      }
    },
  );
});
