import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { daemonConfig, runCli, type RunningDaemon, startDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { close, listen } from '../support/listen.js';
import { tempDir } from '../support/paths.js';
import { eventually, within } from '../support/wait.js';

function lines(path: string): number {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).length;
}

describe('checks from flags, with no config file', { timeout: 60_000 }, () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('answers 200 only while both TCP ports accept connections', async () => {
    const a = createTcpServer((socket) => socket.destroy());
    const b = createTcpServer((socket) => socket.destroy());
    const [portA, portB] = [await listen(a), await listen(b)];
    const daemon = await startDaemon([
      '--port',
      '0',
      '--pidfile',
      join(dir.path, 'tcp.pid'),
      '--tcp',
      `127.0.0.1:${portA}`,
      '--tcp',
      `127.0.0.1:${portB}`,
    ]);
    try {
      assert.equal((await httpRequest(daemon.port)).status, 200);
      await close(b);
      const reply = await httpRequest(daemon.port, { path: '/?format=json' });
      assert.equal(reply.status, 503);
      const doc = JSON.parse(reply.body) as {
        checks: Record<string, [{ status: string; output: string }]>;
      };
      assert.equal(doc.checks['tcp-1']?.[0].status, 'pass');
      assert.equal(doc.checks['tcp-2']?.[0].status, 'fail');
      assert.match(doc.checks['tcp-2']?.[0].output ?? '', /ECONNREFUSED/);
    } finally {
      await daemon.stop();
      await close(a);
    }
  });

  it('adds HTTP checks with --http', async () => {
    let status = 200;
    const server = createHttpServer((_req, res) => res.writeHead(status).end('hi'));
    const port = await listen(server);
    const daemon = await startDaemon([
      '--port',
      '0',
      '--pidfile',
      join(dir.path, 'http.pid'),
      '--http',
      `http://127.0.0.1:${port}/health`,
    ]);
    try {
      assert.equal((await httpRequest(daemon.port)).status, 200);
      status = 500;
      assert.equal((await httpRequest(daemon.port)).status, 503);
    } finally {
      await daemon.stop();
      await close(server);
    }
  });
});

describe('a config with command, tcp and http checks', { timeout: 60_000 }, () => {
  const dir = tempDir();
  const tcp = createTcpServer((socket) => socket.destroy());
  const hits: string[] = [];
  const web = createHttpServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/redirect') res.writeHead(302, { location: '/target' }).end();
    else if (req.url === '/hang') return;
    else res.writeHead(200).end('web ok');
  });
  let daemon: RunningDaemon;
  before(async () => {
    const tcpPort = await listen(tcp);
    const webPort = await listen(web);
    const file = join(dir.path, 'many.config');
    writeFileSync(
      file,
      `[healthcheckd]
port = 0
piddir = ${dir.path}
pidfile = many.pid

[check:script]
command = echo "script says hi"
group = ready, live

[check:db]
tcp = 127.0.0.1:${tcpPort}
group = ready

[check:web]
http = http://127.0.0.1:${webPort}/health
expect_status = 200

[check:moved]
http = http://127.0.0.1:${webPort}/redirect
expect_status = 200
critical = false

[check:slow]
http = http://127.0.0.1:${webPort}/hang
timeout = 300ms
critical = false
group = slow
`,
    );
    daemon = await startDaemon([file]);
  });
  after(async () => {
    await daemon.stop();
    web.closeAllConnections();
    await close(web);
    await close(tcp);
    dir.cleanup();
  });

  it('answers the aggregate on / and any other path (non-critical failures only warn)', async () => {
    for (const path of ['/', '/health', '/some/deep/path']) {
      const reply = await httpRequest(daemon.port, { path });
      assert.equal(reply.status, 200);
      assert.equal(reply.body, 'WARN');
    }
  });

  it('answers one check on /check/<name>, 404 for an unknown name', async () => {
    assert.equal((await httpRequest(daemon.port, { path: '/check/db' })).body, 'OK');
    assert.equal((await httpRequest(daemon.port, { path: '/check/moved' })).status, 503);
    const missing = await httpRequest(daemon.port, { path: '/check/nope' });
    assert.equal(missing.status, 404);
  });

  it('answers a group on /<group>', async () => {
    const ready = await httpRequest(daemon.port, { path: '/ready?format=json' });
    assert.equal(ready.status, 200);
    assert.deepEqual(Object.keys((JSON.parse(ready.body) as { checks: object }).checks).sort(), [
      'db',
      'script',
    ]);
    const live = await httpRequest(daemon.port, {
      path: '/live',
      headers: { accept: 'application/json' },
    });
    assert.deepEqual(Object.keys((JSON.parse(live.body) as { checks: object }).checks), ['script']);
    assert.equal(live.headers['content-type'], 'application/json');
    const slow = await httpRequest(daemon.port, { path: '/slow' });
    assert.equal(slow.body, 'WARN', 'a group of one non-critical failing check warns');
  });

  it('gives IETF health+json with status, output, duration, exit code and time', async () => {
    const reply = await httpRequest(daemon.port, {
      headers: { accept: 'application/health+json' },
    });
    assert.equal(reply.headers['content-type'], 'application/health+json');
    assert.equal(reply.headers['cache-control'], 'no-store');
    const doc = JSON.parse(reply.body) as {
      status: string;
      serviceId: string;
      checks: Record<
        string,
        [
          {
            status: string;
            output: string;
            durationMs: number;
            exitCode: number | null;
            httpStatus?: number | null;
            time: string;
          },
        ]
      >;
    };
    assert.equal(doc.status, 'warn');
    const script = doc.checks.script?.[0];
    assert.equal(script?.status, 'pass');
    assert.equal(script?.output, 'script says hi\n');
    assert.equal(script?.exitCode, 0);
    assert.equal(typeof script?.durationMs, 'number');
    assert.ok(Date.now() - Date.parse(script?.time ?? '') < 60_000);
    assert.equal(doc.checks.web?.[0].exitCode, null, 'an HTTP check has no exit code');
    assert.equal(doc.checks.web?.[0].httpStatus, 200);
    assert.equal(doc.checks.slow?.[0].status, 'fail');
    assert.match(doc.checks.slow?.[0].output ?? '', /within 300 ms/);
  });

  it('does not follow redirects', async () => {
    await httpRequest(daemon.port, { path: '/check/moved' });
    assert.ok(hits.includes('/redirect'));
    assert.ok(!hits.includes('/target'), 'the redirect target is never requested');
  });
});

describe('check semantics', { timeout: 90_000 }, () => {
  const dir = tempDir();
  after(() => dir.cleanup());
  const file = (name: string, body: string): string => daemonConfig(dir.path, name, body);

  it('warn_exit_codes turns exit 1 into warn: 200, WARN, JSON warn', async () => {
    const daemon = await startDaemon([
      file('warn', '[check:w]\ncommand = exit 1\nwarn_exit_codes = 1\n'),
    ]);
    try {
      const text = await httpRequest(daemon.port);
      assert.equal(text.status, 200);
      assert.equal(text.body, 'WARN');
      const json = JSON.parse((await httpRequest(daemon.port, { path: '/?format=json' })).body) as {
        status: string;
      };
      assert.equal(json.status, 'warn');
    } finally {
      await daemon.stop();
    }
  });

  it('expose_output = false keeps command output out of the JSON', async () => {
    const daemon = await startDaemon([
      file('hidden', 'expose_output = false\n[check:secret]\ncommand = echo password123\n'),
    ]);
    try {
      const reply = await httpRequest(daemon.port, { path: '/?format=json' });
      assert.equal(reply.status, 200);
      assert.doesNotMatch(reply.body, /password123/);
      assert.match(reply.body, /"status": "pass"/);
    } finally {
      await daemon.stop();
    }
  });

  it('cache_pass reuses a pass, Pragma: no-cache bypasses it', async () => {
    const runs = join(dir.path, 'cache-runs');
    writeFileSync(runs, '');
    const daemon = await startDaemon([
      file('cache', `[check:c]\ncommand = "echo x >> ${runs}"\ncache_pass = 60s\n`),
    ]);
    try {
      await httpRequest(daemon.port);
      await httpRequest(daemon.port);
      assert.equal(lines(runs), 1);
      await httpRequest(daemon.port, { headers: { pragma: 'no-cache' } });
      assert.equal(lines(runs), 2);
    } finally {
      await daemon.stop();
    }
  });

  it('cache_fail reuses a fail for its own TTL', async () => {
    const runs = join(dir.path, 'cachefail-runs');
    writeFileSync(runs, '');
    const daemon = await startDaemon([
      file('cachefail', `[check:c]\ncommand = "echo x >> ${runs}; exit 2"\ncache_fail = 60s\n`),
    ]);
    try {
      assert.equal((await httpRequest(daemon.port)).status, 503);
      assert.equal((await httpRequest(daemon.port)).status, 503);
      assert.equal(lines(runs), 1);
    } finally {
      await daemon.stop();
    }
  });

  it('fall = 2 needs two failures in a row before the state turns fail', async () => {
    const flag = join(dir.path, 'fall-flag');
    writeFileSync(flag, '');
    const daemon = await startDaemon([
      file('fall', `[check:f]\ncommand = "test -e ${flag}"\nfall = 2\nrise = 2\n`),
    ]);
    try {
      assert.equal((await httpRequest(daemon.port)).status, 503, 'pending → pass takes rise = 2');
      assert.equal((await httpRequest(daemon.port)).status, 200);
      unlinkSync(flag);
      assert.equal((await httpRequest(daemon.port)).status, 200, 'one failure is not enough');
      assert.equal((await httpRequest(daemon.port)).status, 503);
      writeFileSync(flag, '');
      assert.equal((await httpRequest(daemon.port)).status, 503, 'one pass is not enough');
      assert.equal((await httpRequest(daemon.port)).status, 200);
    } finally {
      await daemon.stop();
    }
  });

  it('background mode: pending fails, then answers at once from the last result', async () => {
    // The first run waits for the test's go; every later run hangs for a minute. Answers that
    // waited for a run could come neither while pending nor while the second run hangs.
    // The go is given only once the first run waits for it (`waiting`): given before, that
    // run would be a later one, and hang.
    const go = join(dir.path, 'bg-go');
    const waiting = join(dir.path, 'bg-waiting');
    const hanging = join(dir.path, 'bg-hanging');
    const script = join(dir.path, 'bg-check.sh');
    writeFileSync(
      script,
      `#!/bin/sh\nif [ -e ${go} ]; then touch ${hanging}; exec sleep 60; fi\n` +
        `touch ${waiting}\nwhile [ ! -e ${go} ]; do sleep 0.05; done\n`,
      { mode: 0o755 },
    );
    const daemon = await startDaemon([
      file('bg', `[check:b]\ncommand = ${script}\ninterval = 1s\ntimeout = 120s\nmax_age = 10m\n`),
    ]);
    try {
      const pending = await within(
        httpRequest(daemon.port, { path: '/?format=json' }),
        20_000,
        'answer while the first run is held',
      );
      assert.equal(pending.status, 503);
      assert.match(pending.body, /pending/);
      assert.ok(await eventually(() => existsSync(waiting), 20_000), 'the first run waits');
      writeFileSync(go, '');
      assert.ok(
        await eventually(async () => (await httpRequest(daemon.port)).status === 200, 20_000),
        `the first run passes once it may: ${(await httpRequest(daemon.port, { path: '/?format=json' })).body}\n${daemon.stderr()}`,
      );
      assert.ok(await eventually(() => existsSync(hanging), 20_000), 'a second run started');
      for (let i = 0; i < 5; i += 1) {
        const reply = await within(
          httpRequest(daemon.port),
          20_000,
          'answer while a run hangs for a minute',
        );
        assert.equal(reply.status, 200);
      }
    } finally {
      await daemon.stop();
    }
  });

  it('a slow run keeps the last result past max_age while within its timeout, which fails it', async () => {
    const flag = join(dir.path, 'stale-flag');
    writeFileSync(flag, '');
    const daemon = await startDaemon([
      file(
        'stale',
        `[check:s]\ncommand = "test -e ${flag} || sleep 60"\ninterval = 200ms\nmax_age = 1s\ntimeout = 8s\n`,
      ),
    ]);
    try {
      assert.ok(
        await eventually(async () => (await httpRequest(daemon.port)).status === 200, 20_000),
      );
      unlinkSync(flag);
      // Past max_age: the run in flight is within its timeout, so the last pass still counts.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal((await httpRequest(daemon.port)).status, 200, 'not stale while in flight');
      assert.ok(
        await eventually(async () => (await httpRequest(daemon.port)).status === 503, 20_000),
        'the timeout fails it',
      );
      assert.match((await httpRequest(daemon.port, { path: '/?format=json' })).body, /timed out/);
      assert.doesNotMatch(daemon.stderr(), /is stale/);
    } finally {
      await daemon.stop();
    }
  });
});

describe('healthcheckd check', { timeout: 60_000 }, () => {
  const dir = tempDir();
  after(() => dir.cleanup());
  const config = join(dir.path, 'check.config');
  before(() =>
    writeFileSync(
      config,
      `[healthcheckd]\n[check:good]\ncommand = echo all good\n[check:meh]\ncommand = 'echo "so so"; exit 1'\nwarn_exit_codes = 1\n[check:bad]\ncommand = "echo broken >&2; exit 2"\ncritical = true\n`,
    ),
  );

  it('prints one line per check and exits 2 when a check fails', async () => {
    const result = await runCli(['check', config]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stdout, /^good\s+PASS\s+\d+ ms\s+all good$/m);
    assert.match(result.stdout, /^meh\s+WARN\s+\d+ ms\s+exit 1: so so$/m);
    assert.match(result.stdout, /^bad\s+FAIL\s+\d+ ms\s+exit 2: broken$/m);
  });

  it('exits 1 on warn and 0 on pass with --check', async () => {
    assert.equal((await runCli(['check', config, '--check', 'meh'])).code, 1);
    assert.equal((await runCli(['check', config, '--check', 'good'])).code, 0);
  });

  it('--json prints the same health+json document as HTTP', async () => {
    const result = await runCli(['check', config, '--json', '--check', 'good']);
    const doc = JSON.parse(result.stdout) as {
      status: string;
      checks: Record<string, [{ output: string }]>;
    };
    assert.equal(doc.status, 'pass');
    assert.equal(doc.checks.good?.[0].output, 'all good\n');
  });

  it('exits 2 naming the checks when --check names an unknown one', async () => {
    const result = await runCli(['check', config, '--check', 'nope']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no check named "nope".*good, meh, bad/);
  });
});
