import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, type RunningDaemon, startDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { tempDir } from '../support/paths.js';
import { eventually } from '../support/wait.js';

describe('maintenance: down, up, status', { timeout: 90_000 }, () => {
  const dir = tempDir();
  const spool = join(dir.path, 'spool');
  const config = join(dir.path, 'ops.config');
  const runs = join(dir.path, 'runs');
  let daemon: RunningDaemon;
  before(async () => {
    writeFileSync(runs, '');
    writeFileSync(
      config,
      `[healthcheckd]\nport = 0\npiddir = ${dir.path}\nspool_dir = ${spool}\n` +
        `[check:db]\ncommand = "echo db >> ${runs}"\ngroup = data\n` +
        `[check:web]\ncommand = "echo web >> ${runs}"\ngroup = front\n`,
    );
    daemon = await startDaemon([config]);
    // status needs the port: write it into a second config pointing at the running daemon
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace('port = 0', `port = ${daemon.port}`),
    );
  });
  after(async () => {
    await daemon.stop();
    dir.cleanup();
  });
  const dbRuns = (): number =>
    readFileSync(runs, 'utf8')
      .split('\n')
      .filter((line) => line === 'db').length;

  it('down --reason --for answers status_maintenance with the reason and Retry-After, without running checks', async () => {
    const down = await runCli(['down', config, '--reason', 'kernel upgrade', '--for', '30m']);
    assert.equal(down.code, 0, down.stderr);
    const flag = JSON.parse(readFileSync(join(spool, 'all'), 'utf8')) as Record<string, string>;
    assert.equal(flag.reason, 'kernel upgrade');
    assert.ok(Date.parse(flag.until ?? '') - Date.parse(flag.since ?? '') === 30 * 60_000);
    const before = dbRuns();
    for (const path of ['/', '/check/db', '/data', '/front']) {
      const reply = await httpRequest(daemon.port, { path });
      assert.equal(reply.status, 503);
      assert.equal(reply.body, 'MAINTENANCE: kernel upgrade');
      const retry = Number(reply.headers['retry-after']);
      assert.ok(retry > 1790 && retry <= 1800, `Retry-After ${retry}`);
    }
    assert.equal(dbRuns(), before, 'checks are not run in maintenance');
    const json = JSON.parse((await httpRequest(daemon.port, { path: '/?format=json' })).body) as {
      status: string;
      maintenance: { reason: string; by: string };
    };
    assert.equal(json.status, 'fail');
    assert.equal(json.maintenance.reason, 'kernel upgrade');
    assert.ok(json.maintenance.by.length > 0);
  });

  it('status prints the flag and the live results and exits 1; up ends it', async () => {
    const status = await runCli(['status', config]);
    assert.equal(status.code, 1, status.stdout + status.stderr);
    assert.match(status.stdout, /maintenance: all: "kernel upgrade" by \S+ since \S+ until \S+/);
    assert.match(status.stdout, /daemon: MAINTENANCE: kernel upgrade/);
    assert.match(status.stdout, /^\s+db\s+/m);
    const up = await runCli(['up', config]);
    assert.equal(up.code, 0);
    assert.equal(existsSync(join(spool, 'all')), false);
    // the daemon looks at the spool at most every 0.1 s
    assert.ok(await eventually(async () => (await httpRequest(daemon.port)).status === 200, 3_000));
    const after = await runCli(['status', config]);
    assert.equal(after.code, 0, after.stdout);
    assert.match(after.stdout, /maintenance: none/);
  });

  it('down --check db affects /check/db, groups and the aggregate holding db, not the others', async () => {
    assert.equal((await runCli(['down', config, '--check', 'db'])).code, 0);
    try {
      // The daemon looks at the spool at most every 0.1 s.
      const dbDown = async (): Promise<boolean> =>
        (await httpRequest(daemon.port, { path: '/check/db' })).status === 503;
      assert.ok(await eventually(dbDown, 3_000));
      assert.equal((await httpRequest(daemon.port, { path: '/data' })).status, 503);
      assert.equal((await httpRequest(daemon.port, { path: '/' })).status, 503);
      assert.equal((await httpRequest(daemon.port, { path: '/check/web' })).status, 200);
      assert.equal((await httpRequest(daemon.port, { path: '/front' })).status, 200);
    } finally {
      await runCli(['up', config, '--check', 'db']);
    }
    assert.ok(await eventually(async () => (await httpRequest(daemon.port)).status === 200, 3_000));
  });

  it('an expired flag counts as absent', async () => {
    writeFileSync(
      join(spool, 'all'),
      JSON.stringify({
        reason: 'old',
        since: '2020-01-01T00:00:00Z',
        until: '2020-01-01T01:00:00Z',
        by: 'x',
      }),
    );
    try {
      assert.ok(
        await eventually(async () => (await httpRequest(daemon.port)).status === 200, 3_000),
      );
    } finally {
      await runCli(['up', config]);
    }
  });

  it('a flag file that is not healthcheckd JSON still means maintenance (fail closed)', async () => {
    writeFileSync(join(spool, 'all'), 'planned outage\n');
    try {
      assert.ok(
        await eventually(async () => (await httpRequest(daemon.port)).status === 503, 3_000),
      );
      assert.equal((await httpRequest(daemon.port)).body, 'MAINTENANCE: planned outage');
    } finally {
      await runCli(['up', config]);
    }
  });

  it('refuses --check naming no check, and a bad --for', async () => {
    const unknown = await runCli(['down', config, '--check', 'nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no check named "nope"/);
    const badFor = await runCli(['down', config, '--for', 'soon']);
    assert.equal(badFor.code, 2);
    assert.match(badFor.stderr, /--for: expected a duration/);
  });

  it('exits 3 from status when no daemon answers', async () => {
    const other = join(dir.path, 'nodaemon.config');
    writeFileSync(other, `[healthcheckd]\nport = 1\nspool_dir = ${spool}\ncommand = true\n`);
    const status = await runCli(['status', other]);
    assert.equal(status.code, 3);
    assert.match(status.stdout, /no answer from http:\/\/127\.0\.0\.1:1\//);
  });
});

// Formatted, the timeout would put the name on a line of its own and re-indent the body.
// prettier-ignore
describe('maintenance survives a restart; a spool that cannot be written is a clear error', { timeout: 60_000 }, () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('a flag set while the daemon is down is honoured when it starts', async () => {
    const spool = join(dir.path, 'spool');
    const config = join(dir.path, 'restart.config');
    writeFileSync(
      config,
      `[healthcheckd]\nport = 0\npiddir = ${dir.path}\nspool_dir = ${spool}\ncommand = true\n`,
    );
    assert.equal((await runCli(['down', config, '--reason', 'reboot'])).code, 0);
    const daemon = await startDaemon([config]);
    try {
      const reply = await httpRequest(daemon.port);
      assert.equal(reply.status, 503);
      assert.equal(reply.body, 'MAINTENANCE: reboot');
      assert.equal(reply.headers['retry-after'], undefined, 'no Retry-After without an end');
    } finally {
      await daemon.stop();
    }
  });

  it('down into a spool that cannot be created exits 1 naming the path', async () => {
    // a path below a regular file cannot be created, even by root
    const file = join(dir.path, 'plain-file');
    writeFileSync(file, '');
    const config = join(dir.path, 'blocked.config');
    writeFileSync(config, `[healthcheckd]\nspool_dir = ${join(file, 'spool')}\ncommand = true\n`);
    const result = await runCli(['down', config]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /cannot write maintenance flag .*plain-file\/spool\/all: .*ENOTDIR.*set spool_dir to a directory/,
    );
  });
});

describe('shutdown_delay and metrics', { timeout: 60_000 }, () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('answers maintenance for shutdown_delay after SIGTERM, then stops cleanly', async () => {
    const config = join(dir.path, 'delay.config');
    writeFileSync(
      config,
      `[healthcheckd]\nport = 0\npiddir = ${dir.path}\nshutdown_delay = 2s\ncommand = true\n`,
    );
    const daemon = await startDaemon([config]);
    assert.equal((await httpRequest(daemon.port)).status, 200);
    const started = Date.now();
    daemon.child.kill('SIGTERM');
    await daemon.waitFor(/stopping/);
    const reply = await httpRequest(daemon.port);
    assert.equal(reply.status, 503);
    assert.match(reply.body, /^MAINTENANCE: shutting down$/);
    const exit = await daemon.exited;
    const took = Date.now() - started;
    assert.equal(exit.code, 0);
    assert.ok(took >= 1_900 && took < 8_000, `stopped after ${took} ms`);
  });

  it('serves Prometheus text: check state, run durations and counts, answers by code, maintenance, process', async () => {
    const config = join(dir.path, 'metrics.config');
    writeFileSync(
      config,
      `[healthcheckd]\nport = 0\npiddir = ${dir.path}\n[check:ok]\ncommand = true\n[check:bad]\ncommand = false\n`,
    );
    const daemon = await startDaemon([config]);
    try {
      await httpRequest(daemon.port);
      await httpRequest(daemon.port, { path: '/check/ok' });
      const reply = await httpRequest(daemon.port, { path: '/metrics' });
      assert.equal(reply.status, 200);
      assert.match(reply.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
      assert.match(reply.body, /^healthcheckd_check_state\{check="ok",state="pass"\} 1$/m);
      assert.match(reply.body, /^healthcheckd_check_state\{check="bad",state="fail"\} 1$/m);
      assert.match(reply.body, /^healthcheckd_check_runs_total\{check="ok",result="pass"\} 2$/m);
      assert.match(reply.body, /^healthcheckd_check_runs_total\{check="bad",result="fail"\} 1$/m);
      assert.match(reply.body, /^healthcheckd_check_run_duration_seconds_count\{check="ok"\} 2$/m);
      assert.match(reply.body, /^healthcheckd_http_responses_total\{code="503"\} 1$/m);
      assert.match(reply.body, /^healthcheckd_http_responses_total\{code="200"\} 1$/m);
      assert.match(reply.body, /^# TYPE healthcheckd_maintenance gauge$/m);
      assert.match(reply.body, /^process_resident_memory_bytes \d+/m);
    } finally {
      await daemon.stop();
    }
  });
});

describe('user: run checks as another user when started as root', { timeout: 60_000 }, () => {
  const dir = tempDir();
  after(() => dir.cleanup());
  const isRoot = process.getuid?.() === 0;
  const skip = isRoot ? false : process.env.CI === 'true' ? false : 'needs root (CI runs as root)';

  it('runs every check as nobody', { skip }, async () => {
    assert.ok(isRoot, 'CI must run this test as root');
    const config = join(dir.path, 'user.config');
    writeFileSync(
      config,
      `[healthcheckd]\nport = 0\npiddir = ${dir.path}\nuser = nobody\n[check:who]\ncommand = id -un\n`,
    );
    const daemon = await startDaemon([config]);
    try {
      const doc = JSON.parse((await httpRequest(daemon.port, { path: '/?format=json' })).body) as {
        checks: Record<string, [{ output: string }]>;
      };
      assert.equal(doc.checks.who?.[0].output.trim(), 'nobody');
    } finally {
      await daemon.stop();
    }
  });

  it(
    'keeps the user across a reload that drops the key (user takes a restart), and check uses it',
    { skip },
    async () => {
      assert.ok(isRoot, 'CI must run this test as root');
      const config = join(dir.path, 'user-reload.config');
      const text = `[healthcheckd]\nport = 0\npiddir = ${dir.path}\nuser = nobody\n[check:who]\ncommand = id -un\n`;
      writeFileSync(config, text);
      const once = await runCli(['check', config, '--json']);
      const onceDoc = JSON.parse(once.stdout) as { checks: Record<string, [{ output: string }]> };
      assert.equal(
        onceDoc.checks.who?.[0].output.trim(),
        'nobody',
        'healthcheckd check runs as user too',
      );
      const daemon = await startDaemon([config]);
      try {
        writeFileSync(config, text.replace('user = nobody\n', ''));
        daemon.child.kill('SIGHUP');
        await daemon.waitFor(/config reloaded/);
        const doc = JSON.parse(
          (await httpRequest(daemon.port, { path: '/?format=json' })).body,
        ) as {
          checks: Record<string, [{ output: string }]>;
        };
        assert.equal(doc.checks.who?.[0].output.trim(), 'nobody');
        assert.match(daemon.stderr(), /changes to user take effect after a restart/);
      } finally {
        await daemon.stop();
      }
    },
  );

  it('refuses a user that does not exist with exit 78', { skip }, async () => {
    const config = join(dir.path, 'nouser.config');
    writeFileSync(
      config,
      `[healthcheckd]\nport = 0\npiddir = ${dir.path}\nuser = no-such-user-hcd\ncommand = true\n`,
    );
    const result = await runCli([config]);
    assert.equal(result.code, 78);
    assert.match(result.stderr, /user "no-such-user-hcd" does not exist/);
  });
});
