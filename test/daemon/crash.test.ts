import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventually, fixtures, tempDir, type Exit } from '../support/daemon.js';
import { daemonConfig, killAll, processesWithEnv, uniqueTag } from '../reliability/procfs.js';

/** Runs the CLI in-process and crashes it on SIGUSR2 (CRASH=rejection: a rejected promise). */
const crashFixture = join(fixtures, 'daemon', 'crash-on-sigusr2.mjs');

interface Crashing {
  readonly pid: number;
  readonly stderr: () => string;
  readonly exited: Promise<Exit>;
  readonly kill: () => void;
}

function startCrashing(config: string, env: NodeJS.ProcessEnv): Crashing {
  const child = spawn(process.execPath, [crashFixture, 'run', config], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    pid: child.pid ?? -1,
    stderr: () => err,
    exited,
    kill: () => void child.kill('SIGKILL'),
  };
}

/** Starts a daemon whose one check sleeps (its process group alive), crashes it, returns what is left. */
async function crash(format: 'json' | 'text', kind: 'exception' | 'rejection') {
  const dir = tempDir('hcd-crash-');
  const check = uniqueTag('crash');
  const config = daemonConfig(
    dir.path,
    'crash',
    `log_format = ${format}\n[check:${check}]\ncommand = sleep 300\ninterval = 1h\ntimeout = 1h\n`,
  );
  const marker = `HEALTHCHECKD_CHECK=${check}`;
  const daemon = startCrashing(config, { CRASH: kind });
  try {
    const running = await eventually(
      () => /listening on/.test(daemon.stderr()) && processesWithEnv(marker).length > 0,
      20_000,
    );
    assert.ok(running, `the daemon and its check did not start:\n${daemon.stderr()}`);
    const checkPids = processesWithEnv(marker);
    process.kill(daemon.pid, 'SIGUSR2');
    const exit = await Promise.race([
      daemon.exited,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 15_000).unref()),
    ]);
    const groupGone = await eventually(() => processesWithEnv(marker).length === 0, 5_000);
    killAll(processesWithEnv(marker));
    return {
      exit,
      stderr: daemon.stderr(),
      pidfileLeft: existsSync(join(dir.path, 'crash.pid')),
      lockLeft: existsSync(join(dir.path, 'crash.pid.lock')),
      groupGone,
      checkPids,
    };
  } finally {
    daemon.kill();
    dir.cleanup();
  }
}

describe('a crash of the daemon itself', { timeout: 120_000 }, () => {
  it(
    'kills the checks, releases the pidfile, logs one json line with the stack and exits 70',
    { timeout: 60_000 },
    async () => {
      const left = await crash('json', 'exception');
      assert.deepEqual(left.exit, { code: 70, signal: null }, left.stderr);
      assert.equal(left.pidfileLeft, false, 'pidfile removed');
      assert.equal(left.lockLeft, false, 'lock released');
      assert.ok(left.checkPids.length > 0);
      assert.equal(left.groupGone, true, "the check's process group is gone");
      const crashLines = left.stderr.split('\n').filter((line) => line.includes('crashed'));
      assert.equal(crashLines.length, 1, left.stderr);
      const entry = JSON.parse(crashLines[0] ?? '') as {
        level: number;
        msg: string;
        err: { message: string; stack: string };
        origin: string;
      };
      assert.equal(entry.level, 60);
      assert.equal(entry.origin, 'uncaughtException');
      assert.equal(entry.err.message, 'test crash: thrown');
      assert.match(entry.err.stack, /crash-on-sigusr2\.mjs/);
      assert.match(
        entry.msg,
        /crashed \(uncaught exception\): Error: test crash: thrown; .*exiting 70/,
      );
    },
  );

  it(
    'does the same for an unhandled rejection, on one text line',
    { timeout: 60_000 },
    async () => {
      const left = await crash('text', 'rejection');
      assert.deepEqual(left.exit, { code: 70, signal: null }, left.stderr);
      assert.equal(left.pidfileLeft, false, 'pidfile removed');
      assert.equal(left.groupGone, true, "the check's process group is gone");
      const crashLines = left.stderr.split('\n').filter((line) => line.includes('crashed'));
      assert.equal(crashLines.length, 1, left.stderr);
      assert.match(
        crashLines[0] ?? '',
        /^\[[^\]]+\] FATAL \(\d+\): crashed \(unhandled rejection\): Error: test crash: rejected; checks killed, pidfile released; exiting 70 /,
      );
      assert.doesNotMatch(left.stderr, /^\s+at /m, 'no stack lines of their own');
    },
  );
});
