import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  chmodSync,
  chownSync,
  lchownSync,
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
import { judgePidfile } from '../../src/daemon/pidfile-holder.js';
import { eventually, memoryLogger, silentLogger } from '../support/checks.js';

/** The unprivileged user who plants files (`nobody`). */
const nobody = 65534;
const asRoot = process.geteuid?.() === 0 ? false : 'needs root: files are planted as nobody';

/** A process run by `nobody`. */
function nobodySleeper(): ChildProcess {
  return spawn('sleep', ['60'], { stdio: 'ignore', uid: nobody, gid: nobody });
}

/** Starts nobody's sleeper (kept in `children` for cleanup) and writes its PID into `path`. */
async function pidfileOfNobodySleeper(
  path: string,
  children: ChildProcess[],
): Promise<ChildProcess> {
  const sleeper = nobodySleeper();
  children.push(sleeper);
  await once(sleeper, 'spawn');
  writeFileSync(path, `${sleeper.pid}\n`);
  return sleeper;
}

/** Owns `path` by nobody, as if nobody had made it (links themselves, not their targets). */
function plantedByNobody(path: string): void {
  lchownSync(path, nobody, nobody);
}

describe(
  'acquirePidfile as root: files planted by another user do not stop or fool it',
  { timeout: 30_000 },
  () => {
    let dir: string;
    let path: string;
    const children: ChildProcess[] = [];

    beforeEach(() => {
      // A shared directory like /tmp: world-writable and sticky.
      dir = mkdtempSync(join(tmpdir(), 'hcd-planted-'));
      chmodSync(dir, 0o1777);
      path = join(dir, 'healthcheckd-9999.pid');
    });
    afterEach(() => {
      for (const child of children.splice(0)) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    const takeAndRelease = (): void => {
      const pidfile = acquirePidfile(path, silentLogger);
      assert.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
      assert.equal(lstatSync(path).uid, 0);
      pidfile.release();
    };

    it(
      'a backdated lock directory with a file in it (R-08): moved aside whole, not walked',
      {
        skip: asRoot,
        timeout: 10_000,
      },
      () => {
        const lock = `${path}.lock`;
        mkdirSync(lock);
        writeFileSync(join(lock, 'x'), 'planted\n');
        plantedByNobody(join(lock, 'x'));
        plantedByNobody(lock);
        utimesSync(lock, new Date('2020-01-01'), new Date('2020-01-01'));
        const { logger, lines } = memoryLogger('info');
        const pidfile = acquirePidfile(path, logger);
        const cleared = lines().find(
          (line) => line.msg === 'pidfile lock with no live holder cleared',
        );
        assert.ok(cleared, JSON.stringify(lines()));
        assert.match(String(cleared.found), /^a directory owned by uid 65534$/);
        const aside = String(cleared.movedTo);
        assert.equal(readFileSync(join(aside, 'x'), 'utf8'), 'planted\n', 'its content untouched');
        assert.equal(lstatSync(lock).uid, 0, 'our own lock took its place');
        pidfile.release();
        assert.deepEqual(readdirSync(dir), [aside.slice(dir.length + 1)]);
      },
    );

    it(
      "a pidfile of nobody naming pid 1 (alive, but not nobody's): replaced",
      {
        skip: asRoot,
        timeout: 10_000,
      },
      () => {
        writeFileSync(path, '1\n');
        plantedByNobody(path);
        mkdirSync(`${path}.lock`);
        plantedByNobody(`${path}.lock`);
        assert.deepEqual(judgePidfile(path), {
          holder: null,
          absent: false,
          why: 'owned by uid 65534, not by root',
        });
        takeAndRelease();
        assert.deepEqual(readdirSync(dir), []);
      },
    );

    it(
      "a pidfile of nobody naming nobody's own live process: replaced (root trusts root's files)",
      {
        skip: asRoot,
        timeout: 10_000,
      },
      async () => {
        const sleeper = await pidfileOfNobodySleeper(path, children);
        plantedByNobody(path);
        takeAndRelease();
        assert.ok(sleeper.pid !== undefined && isAlive(sleeper.pid), 'the process is left alone');
      },
    );

    it(
      "root's pidfile naming a process that runs as someone else: a reused PID, replaced",
      {
        skip: asRoot,
        timeout: 10_000,
      },
      async () => {
        const sleeper = await pidfileOfNobodySleeper(path, children);
        const verdict = judgePidfile(path);
        assert.ok(verdict.holder === null);
        assert.match(
          verdict.why,
          new RegExp(`^pid ${sleeper.pid} runs as uid 65534, not as the file's owner \\(uid 0\\)$`),
        );
        takeAndRelease();
      },
    );

    it(
      "root's pidfile naming a live root process: refused, whatever else is there",
      {
        skip: asRoot,
        timeout: 10_000,
      },
      async () => {
        const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
        children.push(sleeper);
        await once(sleeper, 'spawn');
        writeFileSync(path, `${sleeper.pid}\n`);
        assert.throws(
          () => acquirePidfile(path, silentLogger),
          (error: unknown) =>
            error instanceof HealthcheckdError && error.code === 'E_ALREADY_RUNNING',
        );
        assert.equal(readPid(path), sleeper.pid);
      },
    );

    it(
      'a pidfile naming a zombie (a dead daemon not yet reaped): replaced',
      {
        timeout: 10_000,
      },
      async () => {
        // The shell's child exits only once the shell has become `sleep`, which never reaps it.
        // (A child that exits at once can be reaped by the shell itself before its exec.)
        const parent = spawn(
          'sh',
          [
            '-c',
            'p=$$; (until [ "$(cat /proc/$p/comm)" = sleep ]; do sleep 0.01; done) & echo $!; exec sleep 60',
          ],
          { stdio: ['ignore', 'pipe', 'ignore'] },
        );
        children.push(parent);
        const [chunk] = (await once(parent.stdout, 'data')) as [Buffer];
        const zombie = Number(chunk.toString().trim());
        const isZombie = (): boolean => {
          try {
            return /^State:\s+Z/m.test(readFileSync(`/proc/${zombie}/status`, 'utf8'));
          } catch {
            return false; // reaped: then no zombie will come, and the assertion below says so
          }
        };
        assert.ok(await eventually(isZombie, 5_000), 'the child became a zombie');
        assert.equal(isAlive(zombie), false);
        writeFileSync(path, `${zombie}\n`);
        takeAndRelease();
      },
    );

    it(
      'links planted at the lock and the pidfile: replaced, their targets untouched',
      {
        skip: asRoot,
        timeout: 10_000,
      },
      () => {
        const victimDir = join(dir, 'victim-dir');
        const victim = join(dir, 'victim');
        mkdirSync(victimDir);
        writeFileSync(victim, 'precious\n');
        symlinkSync(victimDir, `${path}.lock`);
        symlinkSync(victim, path);
        plantedByNobody(`${path}.lock`);
        plantedByNobody(path);
        const pidfile = acquirePidfile(path, silentLogger);
        assert.equal(lstatSync(`${path}.lock`).isDirectory(), true);
        assert.equal(lstatSync(path).isFile(), true);
        pidfile.release();
        assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
        assert.deepEqual(readdirSync(victimDir), []);
        assert.deepEqual(readdirSync(dir).sort(), ['victim', 'victim-dir']);
      },
    );

    it(
      'a regular file at the lock and a directory with content at the pidfile: cleared',
      {
        skip: asRoot,
        timeout: 10_000,
      },
      () => {
        writeFileSync(`${path}.lock`, 'not a lock\n');
        mkdirSync(path);
        writeFileSync(join(path, 'inside'), 'x');
        plantedByNobody(path);
        const pidfile = acquirePidfile(path, silentLogger);
        assert.equal(readPid(path), process.pid);
        pidfile.release();
        const left = readdirSync(dir);
        assert.equal(left.length, 1, 'only the planted directory, moved aside');
        assert.match(left[0] ?? '', /^healthcheckd-9999\.pid\.stale-[0-9a-f]{8}$/);
      },
    );

    for (const [name, plant] of [
      [
        'a directory with a file in it',
        (guard: string) => {
          mkdirSync(guard);
          writeFileSync(join(guard, 'x'), '');
        },
      ],
      ['a file naming pid 1', (guard: string) => writeFileSync(guard, '1\n')],
      [
        "a link to pid 1's pidfile",
        (guard: string) => {
          writeFileSync(`${guard}-target`, '1\n');
          chownSync(`${guard}-target`, 0, 0);
          symlinkSync(`${guard}-target`, guard);
        },
      ],
      ['an empty file', (guard: string) => writeFileSync(guard, '')],
    ] as const) {
      it(
        `a start guard planted by nobody (${name}): taken over`,
        {
          skip: asRoot,
          timeout: 10_000,
        },
        () => {
          const guard = `${path}.starting`;
          plant(guard);
          plantedByNobody(guard);
          const { logger, lines } = memoryLogger('info');
          const pidfile = acquirePidfile(path, logger);
          assert.ok(
            lines().some((line) => line.msg === 'start guard with no live holder taken over'),
            JSON.stringify(lines()),
          );
          pidfile.release();
          assert.equal(
            readdirSync(dir).some((file) => file === 'healthcheckd-9999.pid.starting'),
            false,
          );
        },
      );
    }
  },
);
