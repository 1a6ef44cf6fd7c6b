import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { HealthcheckdError } from '../../src/errors.js';
import { acquirePidfile, readPid } from '../../src/daemon/pidfile.js';
import { eventually, memoryLogger, silentLogger } from '../support/checks.js';

/**
 * File times a clock step (NTP, a VM resumed, a dead RTC battery) can leave behind; ext4 keeps
 * times up to 2446.
 */
const farFuture = new Date('2400-01-01T00:00:00Z');
const farPast = new Date('1971-01-01T00:00:00Z');
const steps = [
  ['far future', farFuture],
  ['far past', farPast],
] as const;

async function deadPid(): Promise<number> {
  const child = spawn('true', { stdio: 'ignore' });
  await once(child, 'exit');
  assert.ok(child.pid !== undefined);
  return child.pid;
}

function setTimes(paths: readonly string[], when: Date): void {
  for (const path of paths) utimesSync(path, when, when);
}

function refused(fn: () => unknown, pid: number): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof HealthcheckdError);
    assert.equal(error.code, 'E_ALREADY_RUNNING');
    assert.match(error.message, new RegExp(`^already running \\(pid ${pid}, pidfile `));
    return true;
  });
}

describe('acquirePidfile ignores file times: only the holder decides', { timeout: 30_000 }, () => {
  let dir: string;
  let path: string;
  let sleeper: ChildProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hcd-pidclock-'));
    path = join(dir, 'healthcheckd.pid');
  });
  afterEach(() => {
    sleeper?.kill('SIGKILL');
    sleeper = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** A live process as the holder of `path`, with its lock beside it. */
  function liveHolderFiles(): number {
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    assert.ok(sleeper.pid !== undefined);
    mkdirSync(`${path}.lock`);
    writeFileSync(path, `${sleeper.pid}\n`);
    return sleeper.pid;
  }

  for (const [name, when] of steps) {
    it(
      `refuses while the holder lives, lock and pidfile dated in the ${name}`,
      { timeout: 10_000 },
      () => {
        const pid = liveHolderFiles();
        setTimes([path, `${path}.lock`], when);
        refused(() => acquirePidfile(path, silentLogger), pid);
        assert.equal(readPid(path), pid, 'the pidfile is left alone');
        assert.equal(lstatSync(`${path}.lock`).mtime.getTime(), when.getTime(), 'so is the lock');
      },
    );

    it(
      `takes over at once from a dead holder, lock dated in the ${name}`,
      { timeout: 10_000 },
      async () => {
        mkdirSync(`${path}.lock`);
        writeFileSync(path, `${await deadPid()}\n`);
        setTimes([path, `${path}.lock`], when);
        const pidfile = acquirePidfile(path, silentLogger);
        assert.equal(readPid(path), process.pid);
        pidfile.release();
        assert.deepEqual(readdirSync(dir), []);
      },
    );

    it(
      `judges the start guard by its holder too, dated in the ${name}`,
      { timeout: 10_000 },
      async () => {
        sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
        assert.ok(sleeper.pid !== undefined);
        writeFileSync(`${path}.starting`, `${sleeper.pid}\n`);
        setTimes([`${path}.starting`], when);
        assert.throws(
          () => acquirePidfile(path, silentLogger),
          new RegExp(`already running \\(pid ${sleeper.pid}, .* is starting on this pidfile`),
        );
        writeFileSync(`${path}.starting`, `${await deadPid()}\n`);
        setTimes([`${path}.starting`], when);
        const pidfile = acquirePidfile(path, silentLogger);
        pidfile.release();
        assert.deepEqual(readdirSync(dir), []);
      },
    );
  }

  it(
    'a clock step under a held pidfile changes nothing: still held, released clean',
    { timeout: 40_000 },
    async () => {
      const { logger, lines } = memoryLogger('info');
      const held = acquirePidfile(path, logger);
      for (const [, when] of steps) {
        const before = lines().length;
        setTimes([path, `${path}.lock`], when);
        // proper-lockfile looks at its lock every 5 s: it sees a time it did not write and
        // calls the lock compromised; healthcheckd logs that and takes the lock again.
        const retaken = (): boolean =>
          lines()
            .slice(before)
            .some((line) => line.msg === 'pidfile lock taken again');
        assert.ok(await eventually(retaken, 15_000), JSON.stringify(lines()));
        assert.equal(readPid(path), process.pid);
        assert.equal(lstatSync(`${path}.lock`).isDirectory(), true);
      }
      held.release();
      assert.deepEqual(readdirSync(dir), []);
    },
  );
});
