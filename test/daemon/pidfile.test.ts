import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { HealthcheckdError } from '../../src/errors.js';
import { acquirePidfile, isAlive, readPid } from '../../src/daemon/pidfile.js';
import { memoryLogger, silentLogger } from '../support/logger.js';
import { eventually } from '../support/wait.js';

/** A PID that belonged to a process which has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn('true', { stdio: 'ignore' });
  await once(child, 'exit');
  assert.ok(child.pid !== undefined);
  return child.pid;
}

/** Makes `<path>.lock` as another daemon's fresh proper-lockfile lock, and `path` name `pid`. */
function otherDaemon(path: string, pid: number | null): void {
  mkdirSync(`${path}.lock`);
  if (pid !== null) writeFileSync(path, `${pid}\n`);
}

function rejectsAlreadyRunning(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof HealthcheckdError);
    assert.equal(error.code, 'E_ALREADY_RUNNING');
    assert.equal(error.exitCode, 1);
    assert.match(error.message, message);
    return true;
  });
}

describe('acquirePidfile', { timeout: 60_000 }, () => {
  let dir: string;
  let path: string;
  let sleeper: ChildProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hcd-pidfile-'));
    path = join(dir, 'healthcheckd.pid');
  });

  afterEach(() => {
    sleeper?.kill('SIGKILL');
    sleeper = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes our PID and holds the lock; release() removes both', () => {
    const pidfile = acquirePidfile(path, silentLogger);
    assert.equal(pidfile.path, path);
    assert.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
    assert.equal(lstatSync(`${path}.lock`).isDirectory(), true);
    pidfile.release();
    assert.equal(existsSync(path), false);
    assert.equal(existsSync(`${path}.lock`), false);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('can be taken again after release()', () => {
    acquirePidfile(path, silentLogger).release();
    const again = acquirePidfile(path, silentLogger);
    assert.equal(readPid(path), process.pid);
    again.release();
    assert.deepEqual(readdirSync(dir), []);
  });

  it('refuses with E_ALREADY_RUNNING while the lock is held by a live process', () => {
    sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    assert.ok(sleeper.pid !== undefined);
    otherDaemon(path, sleeper.pid);
    rejectsAlreadyRunning(
      () => acquirePidfile(path, silentLogger),
      new RegExp(`^already running \\(pid ${sleeper.pid}, pidfile ${path}\\)`),
    );
    assert.equal(readFileSync(path, 'utf8'), `${sleeper.pid}\n`, 'the pidfile is left alone');
    assert.equal(existsSync(`${path}.lock`), true, "the other daemon's lock is left alone");
    assert.deepEqual(readdirSync(dir).sort(), ['healthcheckd.pid', 'healthcheckd.pid.lock']);
  });

  it('takes over a lock with no pidfile beside it: no holder, so nothing alive holds it', () => {
    otherDaemon(path, null);
    const pidfile = acquirePidfile(path, silentLogger);
    assert.equal(readPid(path), process.pid);
    pidfile.release();
    assert.deepEqual(readdirSync(dir), []);
  });

  it('takes over at once a fresh lock whose pidfile names a dead process', async () => {
    const dead = await deadPid();
    otherDaemon(path, dead);
    const pidfile = acquirePidfile(path, silentLogger);
    assert.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
    assert.equal(existsSync(`${path}.lock`), true);
    pidfile.release();
    assert.deepEqual(readdirSync(dir), []);
  });

  it('takes over a lock whose pidfile names our own PID (a pidfile from before a reboot)', () => {
    otherDaemon(path, process.pid);
    const pidfile = acquirePidfile(path, silentLogger);
    assert.equal(readPid(path), process.pid);
    pidfile.release();
    assert.deepEqual(readdirSync(dir), []);
  });

  it('refuses while the pidfile names a live process, however old its lock looks', () => {
    sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    assert.ok(sleeper.pid !== undefined);
    otherDaemon(path, sleeper.pid);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, old, old);
    rejectsAlreadyRunning(
      () => acquirePidfile(path, silentLogger),
      new RegExp(
        `^already running \\(pid ${sleeper.pid}, pidfile ${path}\\): pid ${sleeper.pid} is "sleep"`,
      ),
    );
    assert.equal(readPid(path), sleeper.pid);
  });

  it('replaces a symlink at the path and leaves its target untouched', () => {
    const target = join(dir, 'precious');
    writeFileSync(target, 'do not touch\n');
    symlinkSync(target, path);
    const pidfile = acquirePidfile(path, silentLogger);
    assert.equal(lstatSync(path).isSymbolicLink(), false);
    assert.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
    assert.equal(readFileSync(target, 'utf8'), 'do not touch\n');
    pidfile.release();
    assert.deepEqual(readdirSync(dir), ['precious']);
  });

  it('fails with E_PIDFILE naming the fix when the directory is missing', () => {
    const missing = join(dir, 'no', 'such', 'dir', 'x.pid');
    assert.throws(
      () => acquirePidfile(missing, silentLogger),
      (error: unknown) => {
        assert.ok(error instanceof HealthcheckdError);
        assert.equal(error.code, 'E_PIDFILE');
        assert.match(
          error.message,
          new RegExp(
            `^cannot write pidfile ${missing}: .*ENOENT.*; create its directory or set piddir$`,
          ),
        );
        return true;
      },
    );
  });

  it('release() twice is harmless', () => {
    const pidfile = acquirePidfile(path, silentLogger);
    pidfile.release();
    assert.doesNotThrow(() => pidfile.release());
    assert.deepEqual(readdirSync(dir), []);
  });

  it('logs, does not crash and takes the lock again when it is removed from under it', async () => {
    const { logger, lines } = memoryLogger('info');
    const pidfile = acquirePidfile(path, logger);
    rmSync(`${path}.lock`, { recursive: true });
    // proper-lockfile looks at the lock every 5 s; that is when it notices.
    assert.ok(await eventually(() => lines().length >= 2, 12_000), 'compromise logged');
    const [line, again] = lines();
    assert.equal(line?.level, 50);
    assert.match(String(line?.msg), /^pidfile lock compromised .*still running, taking it again$/);
    assert.equal(line?.pidfile, path);
    assert.equal(again?.msg, 'pidfile lock taken again');
    assert.equal(lstatSync(`${path}.lock`).isDirectory(), true);
    assert.equal(readPid(path), process.pid);
    assert.doesNotThrow(() => pidfile.release());
    assert.deepEqual(readdirSync(dir), []);
  });

  it('release() leaves a pidfile that names another process', () => {
    const pidfile = acquirePidfile(path, silentLogger);
    writeFileSync(path, '1\n');
    pidfile.release();
    assert.equal(readFileSync(path, 'utf8'), '1\n');
    assert.equal(existsSync(`${path}.lock`), false);
  });
});

describe('readPid', { timeout: 30_000 }, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hcd-readpid-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a PID with or without a newline', () => {
    writeFileSync(join(dir, 'a'), '1234\n');
    writeFileSync(join(dir, 'b'), ' 42 ');
    assert.equal(readPid(join(dir, 'a')), 1234);
    assert.equal(readPid(join(dir, 'b')), 42);
  });

  it('answers null for a missing file, garbage, zero or a negative number', () => {
    writeFileSync(join(dir, 'garbage'), 'hello');
    writeFileSync(join(dir, 'zero'), '0');
    writeFileSync(join(dir, 'negative'), '-5');
    writeFileSync(join(dir, 'empty'), '');
    for (const name of ['missing', 'garbage', 'zero', 'negative', 'empty']) {
      assert.equal(readPid(join(dir, name)), null, name);
    }
  });
});

describe('isAlive', { timeout: 30_000 }, () => {
  it('is true for a live process, false for a dead one and for ourselves', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      assert.ok(child.pid !== undefined);
      assert.equal(isAlive(child.pid), true);
    } finally {
      child.kill('SIGKILL');
    }
    assert.equal(isAlive(await deadPid()), false);
    assert.equal(isAlive(process.pid), false);
  });
});
