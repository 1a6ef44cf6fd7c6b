/**
 * The real CLI: status, down and up in flags-only mode against a daemon started with checks
 * from flags; `status` with `port = 0`; json log lines an operator can ingest (each key once,
 * ISO 8601 times, no empty fields); the access log; a refused reload that says what to do;
 * the restart-only warning naming only what the operator changed.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, startDaemon, stopDaemon, type RunningDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { freePort } from '../support/listen.js';
import { tempDir } from '../support/paths.js';
import { eventually } from '../support/wait.js';

/** The keys that appear twice in one object of a JSON text (JSON.parse keeps only the last). */
function duplicateKeys(text: string): string[] {
  const found: string[] = [];
  const objects: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const value = JSON.parse(text.slice(i, end + 1)) as string;
      const keys = objects.at(-1);
      if (expectKey && keys) {
        if (keys.has(value)) found.push(value);
        keys.add(value);
      }
      expectKey = false;
      i = end;
    } else if (char === '{') {
      objects.push(new Set());
      expectKey = true;
    } else if (char === '[') {
      objects.push(null);
    } else if (char === '}' || char === ']') {
      objects.pop();
    } else if (char === ',') {
      expectKey = objects.at(-1) instanceof Set;
    }
  }
  return found;
}

const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Every stderr line parsed, after checking it has each key once and no empty field. */
function jsonLines(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      assert.deepEqual(duplicateKeys(line), [], `a key twice in ${line}`);
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.match(String(entry.time), iso, line);
      for (const [key, value] of Object.entries(entry)) {
        const empty =
          value === null || value === '' || (Array.isArray(value) && value.length === 0);
        assert.ok(!empty, `empty field ${key} in ${line}`);
      }
      return entry;
    });
}

describe('the duplicate-key check', { timeout: 5_000 }, () => {
  it('finds the pid the startup line had twice, and nothing in distinct nested keys', () => {
    assert.deepEqual(duplicateKeys('{"pid":1,"a":{"pid":2,"b":"}\\",\\"pid\\""},"pid":1}'), [
      'pid',
    ]);
    assert.deepEqual(duplicateKeys('{"a":[{"x":1},{"x":2}],"b":{"a":1}}'), []);
  });
});

describe('status, down and up with flags only', { timeout: 90_000 }, () => {
  const dir = tempDir('hcd-flags-');
  const spool = join(dir.path, 'spool');
  mkdirSync(spool);
  let daemon: RunningDaemon | undefined;
  after(async () => {
    await stopDaemon(daemon);
    dir.cleanup();
  });

  it('find the daemon started with checks from flags, and set and end its maintenance', async () => {
    daemon = await startDaemon(
      ['--port', '0', '--bind', '127.0.0.1', '--piddir', dir.path, '--spool-dir', spool].concat([
        '--command',
        'true',
        '--log-format',
        'json',
      ]),
      { cwd: dir.path },
    );
    const at = ['--port', String(daemon.port), '--spool-dir', 'spool'];
    const opts = { cwd: dir.path };
    const status = await runCli(['status', ...at], opts);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^daemon: PASS \(http:\/\/127\.0\.0\.1:\d+\/\?format=json\)$/m);

    const down = await runCli(
      ['down', ...at, '--check', 'command-1', '--reason', 'by flags'],
      opts,
    );
    assert.equal(down.code, 0, down.stderr);
    assert.ok(existsSync(join(spool, 'check:command-1')));
    const port = daemon.port;
    assert.ok(
      await eventually(async () => (await httpRequest(port)).body === 'MAINTENANCE: by flags'),
    );
    const flagged = await runCli(['status', ...at], opts);
    assert.equal(flagged.code, 1, flagged.stdout);
    assert.match(flagged.stdout, /^maintenance: check:command-1: "by flags"/m);

    const up = await runCli(['up', ...at, '--check', 'command-1'], opts);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /maintenance ended: check:command-1/);
    assert.ok(await eventually(async () => (await httpRequest(port)).status === 200));

    // The daemon's json lines: each key once (pid too), ISO times, no empty field, no access log.
    await daemon.waitFor(/"msg":"maintenance off"/);
    const entries = jsonLines(daemon.stderr());
    const start = entries.find((entry) => String(entry.msg).includes('listening on'));
    assert.equal(start?.pid, daemon.pid);
    assert.equal(start?.config, undefined, 'flags-only: no config field');
    const on = entries.find((entry) => String(entry.msg).startsWith('maintenance on'));
    const flag = (on?.flags as Array<Record<string, unknown>> | undefined)?.[0];
    assert.match(String(flag?.since), iso);
    assert.equal('until' in (flag ?? {}), false, 'a flag until `up` has no until');
    assert.ok(!entries.some((entry) => 'method' in entry), 'access log off by default');
  });

  it('usage errors still refuse flags a command does not take', { timeout: 30_000 }, async () => {
    const result = await runCli(['status', '--port', '1', '--tcp', '127.0.0.1:1']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Unknown argument: tcp/);
  });
});

describe('status with port = 0', { timeout: 30_000 }, () => {
  const dir = tempDir('hcd-port0-');
  after(() => dir.cleanup());

  it('says it cannot know the port and asks for --port, exit 3', async () => {
    const file = join(dir.path, 'zero.config');
    writeFileSync(file, `[healthcheckd]\nport = 0\nspool_dir = ${dir.path}\ncommand = true\n`);
    const result = await runCli(['status', file]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(
      result.stdout,
      /daemon: port unknown: the config says port = 0 .*pass it with --port PORT/,
    );
  });
});

describe('access log, refused reload, restart-only keys', { timeout: 90_000 }, () => {
  const dir = tempDir('hcd-logs-');
  const file = join(dir.path, 'logs.config');
  const write = (body: string, format = 'json'): void =>
    writeFileSync(
      file,
      `[healthcheckd]\nbind = 127.0.0.1\npiddir = ${dir.path}\nspool_dir = ${dir.path}\n` +
        `log_format = ${format}\naccess_log = true\ncommand = true\n${body}`,
    );
  let daemon: RunningDaemon | undefined;
  after(async () => {
    await stopDaemon(daemon);
    dir.cleanup();
  });

  it('logs one line per request: method, path, status, duration, remote', async () => {
    write('port = 0\n');
    daemon = await startDaemon([file]);
    await httpRequest(daemon.port, { path: '/check/default?x=1' });
    await httpRequest(daemon.port, { path: '/check/nope', method: 'HEAD' });
    await daemon.waitFor(/"path":"\/check\/nope"/);
    const access = jsonLines(daemon.stderr()).filter((entry) => 'method' in entry);
    assert.equal(access.length, 2);
    const [get, head] = access;
    assert.equal(get?.method, 'GET');
    assert.equal(get?.path, '/check/default?x=1');
    assert.equal(get?.status, 200);
    assert.equal(get?.remote, '127.0.0.1');
    assert.equal(get?.level, 30);
    assert.equal(typeof get?.durationMs, 'number');
    assert.match(String(get?.msg), /^GET \/check\/default\?x=1 200 [\d.]+ ms 127\.0\.0\.1$/);
    assert.equal(head?.method, 'HEAD');
    assert.equal(head?.status, 404);
  });

  it('a refused reload says the daemon keeps running and to fix the file and reload', async () => {
    assert.ok(daemon);
    write('port = 0\ntimeout = never\n');
    daemon.child.kill('SIGHUP');
    await daemon.waitFor(/reload refused/);
    const refused = jsonLines(daemon.stderr()).find((entry) =>
      String(entry.msg).startsWith('reload refused'),
    );
    assert.match(
      String(refused?.msg),
      /^reload refused \(invalid config\): [^;]*logs\.config:\d+: timeout: [^;]*; the daemon keeps running with its previous config: fix the file and reload again \(SIGHUP\)$/,
    );
    assert.equal((await httpRequest(daemon.port)).status, 200);
  });

  it('a new port rebinds without a warning about the pidfile it derives', async () => {
    assert.ok(daemon);
    const port = await freePort();
    write(`port = ${port}\n`);
    daemon.child.kill('SIGHUP');
    await daemon.waitFor(/config reloaded/);
    assert.equal((await httpRequest(port)).status, 200);
    write(`port = ${port}\n`, 'text');
    daemon.child.kill('SIGHUP');
    const warned = await daemon.waitFor(/"msg":"(changes to [^"]*)"/);
    assert.equal(warned[1], 'changes to log_format take effect after a restart');
    assert.equal(daemon.stderr().match(/take effect after a restart/g)?.length, 1);
  });
});
