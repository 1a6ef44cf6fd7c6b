import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { daemonConfig, startDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { tempDir } from '../support/paths.js';
import { processesWithCommandLine, rssKiB } from '../support/processes.js';
import { eventually } from '../support/wait.js';

describe('command checks against a real daemon', { timeout: 60_000 }, () => {
  const dir = tempDir();
  after(() => dir.cleanup());
  const config = (name: string, body: string): string => daemonConfig(dir.path, name, body);

  it('answers 503 at the timeout and kills the whole process group', async () => {
    const marker = `${Math.floor(Math.random() * 1e6) + 1000}`;
    const daemon = await startDaemon([
      config('timeout', `timeout = 1s\ncommand = "sleep ${marker} & sleep ${marker}"\n`),
    ]);
    try {
      const started = Date.now();
      const reply = await httpRequest(daemon.port);
      const took = Date.now() - started;
      assert.equal(reply.status, 503);
      assert.ok(took >= 900 && took < 15_000, `answered after ${took} ms (the sleeps last days)`);
      assert.ok(
        await eventually(() => processesWithCommandLine(`sleep ${marker}`).length === 0, 10_000),
        'no sleep survives',
      );
    } finally {
      await daemon.stop();
    }
  });

  it('kills a command that ignores SIGTERM with SIGKILL', async () => {
    const script = join(dir.path, `stubborn-${process.pid}.sh`);
    writeFileSync(script, "trap '' TERM\nwhile :; do sleep 0.05; done\n", { mode: 0o755 });
    const daemon = await startDaemon([
      config('stubborn', `timeout = 500ms\ncommand = ${script}\n`),
    ]);
    try {
      assert.equal((await httpRequest(daemon.port)).status, 503);
      assert.ok(
        await eventually(() => processesWithCommandLine(script).length === 0, 10_000),
        'SIGKILL follows SIGTERM',
      );
    } finally {
      await daemon.stop();
    }
  });

  it('caps 100 MB of output and keeps memory flat', async () => {
    const daemon = await startDaemon([
      config('big', 'timeout = 30s\ncommand = head -c 100000000 /dev/zero | tr "\\0" x\n'),
      '--log-level',
      'debug',
      '--log-format',
      'json',
    ]);
    try {
      const before = rssKiB(daemon.pid);
      const reply = await httpRequest(daemon.port, { timeoutMs: 30_000 });
      assert.equal(reply.status, 200);
      const grew = rssKiB(daemon.pid) - before;
      // Keeping the output would cost at least its 97,656 KiB; garbage the young generation has
      // not yet collected stays below that (Node 24's young generation is larger than 20's).
      assert.ok(grew < 90_000, `RSS grew by ${grew} KiB`);
      assert.ok(
        await eventually(() => /Captured 4096 of 100000000 bytes/.test(daemon.stderr())),
        'debug log shows the capped output',
      );
    } finally {
      await daemon.stop();
    }
  });

  it('answers as soon as the command exits, even if a grandchild holds the pipe', async () => {
    const marker = `${Math.floor(Math.random() * 1e6) + 2000}`;
    const daemon = await startDaemon([
      config('grandchild', `timeout = 10s\ncommand = "sleep ${marker} & echo started"\n`),
    ]);
    try {
      const started = Date.now();
      assert.equal((await httpRequest(daemon.port)).status, 200);
      assert.ok(
        Date.now() - started < 15_000,
        'the background sleep (days) does not hold the answer',
      );
      assert.ok(
        await eventually(() => processesWithCommandLine(`sleep ${marker}`).length === 0, 10_000),
        'no orphan survives',
      );
    } finally {
      await daemon.stop();
    }
  });

  it('runs a slow command once for 100 concurrent requests (single-flight)', async () => {
    const counter = join(dir.path, 'runs.txt');
    writeFileSync(counter, '');
    const daemon = await startDaemon([
      config('flight', `command = "echo run >> ${counter}; sleep 1"\n`),
    ]);
    try {
      const replies = await Promise.all(
        Array.from({ length: 100 }, () => httpRequest(daemon.port)),
      );
      assert.equal(replies.filter((reply) => reply.status === 200).length, 100);
      assert.equal(readFileSync(counter, 'utf8'), 'run\n');
    } finally {
      await daemon.stop();
    }
  });

  it('never runs more than max_concurrent checks at once', async () => {
    const log = join(dir.path, 'overlap.txt');
    writeFileSync(log, '');
    const body = `max_concurrent = 1\ntimeout = 10s\n`;
    const cmd = (n: number) =>
      `echo start >> ${log}; sleep 0.3; echo end >> ${log}; test ${n} -ge 0`;
    const daemon = await startDaemon([
      config('limit', body),
      '--command',
      cmd(1),
      '--command',
      cmd(2),
      '--command',
      cmd(3),
    ]);
    try {
      assert.equal((await httpRequest(daemon.port)).status, 200);
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      assert.deepEqual(lines, ['start', 'end', 'start', 'end', 'start', 'end']);
    } finally {
      await daemon.stop();
    }
  });

  it('sets HEALTHCHECKD_CHECK and closes stdin', async () => {
    const daemon = await startDaemon([
      config('env', `command = 'test "$HEALTHCHECKD_CHECK" = default && ! read -t 1 line'\n`),
    ]);
    try {
      assert.equal((await httpRequest(daemon.port)).status, 200);
    } finally {
      await daemon.stop();
    }
  });
});
