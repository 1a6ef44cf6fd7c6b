import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { freePort } from '../support/listen.js';
import { tempDir } from '../support/paths.js';
import { eventually } from '../support/wait.js';

describe('SIGHUP reload and logs', { timeout: 60_000 }, () => {
  const dir = tempDir();
  after(() => dir.cleanup());
  const file = join(dir.path, 'reload.config');
  const write = (body: string): void =>
    writeFileSync(file, `[healthcheckd]\npiddir = ${dir.path}\npidfile = reload.pid\n${body}`);

  it('keeps serving the old config when the new one is broken, and logs why', async () => {
    write('port = 0\ncommand = true\n');
    const daemon = await startDaemon([file]);
    try {
      write('port = 0\ncommand = true\ntimeout = never\n');
      daemon.child.kill('SIGHUP');
      await daemon.waitFor(/reload refused.*timeout/);
      assert.equal((await httpRequest(daemon.port)).status, 200);
    } finally {
      await daemon.stop();
    }
  });

  it('applies a good config: new command, and a new port (rebinds)', async () => {
    write('port = 0\ncommand = true\n');
    const daemon = await startDaemon([file]);
    try {
      const port = await freePort();
      write(`port = ${port}\ncommand = false\n`);
      daemon.child.kill('SIGHUP');
      const match = await daemon.waitFor(/config reloaded[^\n]*http:\/\/[^\s"]*:(\d+)/);
      const newPort = Number(match[1]);
      assert.equal(newPort, port);
      assert.equal((await httpRequest(newPort)).status, 503);
      assert.ok(
        await eventually(async () =>
          httpRequest(daemon.port).then(
            () => false,
            () => true,
          ),
        ),
        'old port closed',
      );
    } finally {
      await daemon.stop();
    }
  });

  it('logs one startup line with address, pid, pidfile and checks (json)', async () => {
    write('port = 0\ncommand = true\nlog_format = json\n');
    const daemon = await startDaemon([file]);
    try {
      const line = daemon
        .stderr()
        .split('\n')
        .find((text) => text.includes('listening on'));
      const entry = JSON.parse(line ?? '{}') as Record<string, unknown>;
      assert.equal(entry.pid, daemon.pid);
      assert.equal(entry.pidfile, join(dir.path, 'reload.pid'));
      assert.deepEqual(entry.checks, ['default']);
      assert.equal(entry.address, `http://0.0.0.0:${daemon.port}`);
    } finally {
      await daemon.stop();
    }
  });

  it('logs a state change once, with the output that caused it (text)', async () => {
    const flag = join(dir.path, 'flag');
    write(`port = 0\ncommand = "cat ${flag}"\n`);
    writeFileSync(flag, 'fine\n');
    const daemon = await startDaemon([file]);
    try {
      await httpRequest(daemon.port);
      await httpRequest(daemon.port);
      writeFileSync(flag, '');
      const { unlinkSync } = await import('node:fs');
      unlinkSync(flag);
      assert.equal((await httpRequest(daemon.port)).status, 503);
      assert.equal((await httpRequest(daemon.port)).status, 503);
      const log = daemon.stderr();
      assert.equal(log.match(/check default is now pass/g)?.length, 1);
      assert.equal(log.match(/check default is now fail/g)?.length, 1);
      assert.match(log, /WARN.*check default is now fail.*No such file or directory/);
    } finally {
      await daemon.stop();
    }
  });

  it('rebinds when only bind changes on the same port', async () => {
    const port = await freePort();
    write(`port = ${port}\nbind = 127.0.0.1\ncommand = true\n`);
    const daemon = await startDaemon([file]);
    try {
      write(`port = ${port}\nbind = 0.0.0.0\ncommand = true\n`);
      daemon.child.kill('SIGHUP');
      await daemon.waitFor(/config reloaded[^\n]*http:\/\/0\.0\.0\.0:/);
      assert.equal((await httpRequest(port)).status, 200);
      assert.doesNotMatch(daemon.stderr(), /reload refused/);
    } finally {
      await daemon.stop();
    }
  });

  it('never runs a background check twice at once across reloads', async () => {
    const runs = join(dir.path, 'handover-runs');
    writeFileSync(runs, '');
    const body = `port = 0\n[check:slow]\ncommand = "echo run >> ${runs}; sleep 1"\ninterval = 30s\ntimeout = 5s\n`;
    write(body);
    const daemon = await startDaemon([file]);
    try {
      assert.ok(await eventually(() => readFileSync(runs, 'utf8') !== ''), 'the first run started');
      for (let i = 0; i < 3; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        write(body);
        daemon.child.kill('SIGHUP');
      }
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(
        readFileSync(runs, 'utf8'),
        'run\n',
        'the run in flight is handed over, not repeated',
      );
      assert.equal((await httpRequest(daemon.port)).status, 200);
    } finally {
      await daemon.stop();
    }
  });
});
