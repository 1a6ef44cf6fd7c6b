import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  binPath,
  eventually,
  httpRequest,
  requireProgram,
  runCli,
  startDaemon,
  tempDir,
  type RunningDaemon,
} from '../support/daemon.js';

const notRoot = process.geteuid?.() === 0 ? false : 'needs root: the attacker runs as nobody';
const asRoot = notRoot || requireProgram('setpriv');
const setpriv = ['--reuid=nobody', '--regid=nogroup', '--clear-groups'];

/** Runs a shell script as the unprivileged user `nobody` ($1... are `args`). */
function asNobody(script: string, ...args: string[]): void {
  execFileSync('setpriv', [...setpriv, 'sh', '-c', script, 'sh', ...args], {
    stdio: 'pipe',
    timeout: 10_000,
  });
}

/** Runs the CLI as nobody to completion: its exit code and stderr. */
function cliAsNobody(cliArgs: readonly string[]): { code: number | null; stderr: string } {
  const result = spawnSync('setpriv', [...setpriv, process.execPath, binPath, ...cliArgs], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { code: result.status, stderr: result.stderr };
}

const args = (pidfile: string): string[] => [
  ...['--port', '0', '--bind', '127.0.0.1', '--pidfile', pidfile, '--command', 'true'],
];

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A second daemon on the same pidfile: exit 1 naming the first, the pidfile untouched. */
async function secondIsRefused(first: RunningDaemon, pidfile: string): Promise<void> {
  const second = await runCli(args(pidfile), { timeoutMs: 15_000 });
  assert.equal(second.code, 1, second.stderr);
  assert.match(
    second.stderr,
    new RegExp(`already running \\(pid ${first.pid}, pidfile ${escape(pidfile)}\\)`),
  );
  assert.equal(readFileSync(pidfile, 'utf8'), `${first.pid}\n`);
  assert.equal((await httpRequest(first.port)).status, 200, 'the first daemon keeps answering');
}

describe(
  'pidfile under a running daemon: removed files and clock steps',
  { timeout: 120_000 },
  () => {
    const dir = tempDir('hcd-pidhostile-');
    after(() => dir.cleanup());

    it(
      'B-06: the lock removed under a daemon: a second is refused, the lock comes back',
      {
        timeout: 40_000,
      },
      async () => {
        const pidfile = join(dir.path, 'b06.pid');
        const first = await startDaemon(args(pidfile));
        try {
          rmdirSync(`${pidfile}.lock`);
          await secondIsRefused(first, pidfile);
          assert.ok(
            await eventually(() => /pidfile lock taken again/.test(first.stderr()), 15_000),
            first.stderr(),
          );
          assert.equal(lstatSync(`${pidfile}.lock`).isDirectory(), true);
          assert.match(first.stderr(), /pidfile lock compromised/);
        } finally {
          assert.deepEqual(await first.stop(), { code: 0, signal: null });
        }
        assert.equal(existsSync(pidfile), false);
        assert.equal(existsSync(`${pidfile}.lock`), false);
      },
    );

    it(
      'the pidfile removed under a daemon (a tmp cleaner): written again, then a second is refused',
      {
        timeout: 40_000,
      },
      async () => {
        const pidfile = join(dir.path, 'cleaned.pid');
        const first = await startDaemon(args(pidfile));
        try {
          unlinkSync(pidfile);
          assert.ok(await eventually(() => existsSync(pidfile), 15_000), first.stderr());
          assert.match(first.stderr(), /pidfile removed or replaced: written again/);
          await secondIsRefused(first, pidfile);
        } finally {
          assert.deepEqual(await first.stop(), { code: 0, signal: null });
        }
        assert.deepEqual(
          readdirSync(dir.path).filter((file) => file.startsWith('cleaned')),
          [],
        );
      },
    );

    it(
      'a clock step either way under a daemon changes nothing: a second is still refused',
      {
        timeout: 60_000,
      },
      async () => {
        const pidfile = join(dir.path, 'clock.pid');
        const first = await startDaemon(args(pidfile));
        try {
          for (const when of [new Date('2400-01-01'), new Date('1971-01-01')]) {
            utimesSync(pidfile, when, when);
            utimesSync(`${pidfile}.lock`, when, when);
            await secondIsRefused(first, pidfile);
          }
        } finally {
          assert.deepEqual(await first.stop(), { code: 0, signal: null });
        }
        assert.equal(existsSync(pidfile), false);
        assert.equal(existsSync(`${pidfile}.lock`), false);
      },
    );

    it(
      'a daemon killed -9 whose lock is dated in the future: the next one starts at once',
      {
        timeout: 40_000,
      },
      async () => {
        const pidfile = join(dir.path, 'future.pid');
        const first = await startDaemon(args(pidfile));
        first.child.kill('SIGKILL');
        await first.exited;
        const future = new Date('2400-01-01');
        utimesSync(`${pidfile}.lock`, future, future);
        const next = await startDaemon(args(pidfile));
        try {
          assert.equal(readFileSync(pidfile, 'utf8'), `${next.pid}\n`);
        } finally {
          await next.stop();
        }
      },
    );
  },
);

describe(
  'files planted by nobody in a shared directory do not stop a root daemon',
  { timeout: 120_000 },
  () => {
    const dir = tempDir('hcd-pidplant-');
    after(() => dir.cleanup());
    const shared = join(dir.path, 'tmp');
    mkdirSync(shared);
    chmodSync(dir.path, 0o755);
    chmodSync(shared, 0o1777);
    let round = 0;
    const fresh = (): string => join(shared, `healthcheckd-${++round}.pid`);

    async function startsAndAnswers(pidfile: string): Promise<string> {
      const daemon = await startDaemon(args(pidfile));
      try {
        assert.equal((await httpRequest(daemon.port)).status, 200);
        assert.equal(readFileSync(pidfile, 'utf8'), `${daemon.pid}\n`);
        assert.equal(lstatSync(pidfile).uid, 0);
      } finally {
        assert.deepEqual(await daemon.stop(), { code: 0, signal: null });
      }
      return daemon.stderr();
    }

    it(
      'R-08: a backdated lock directory with a file in it',
      { skip: asRoot, timeout: 30_000 },
      async () => {
        const pidfile = fresh();
        asNobody(
          'mkdir "$1.lock" && touch "$1.lock/x" && touch -d "2020-01-01 00:00" "$1.lock"',
          pidfile,
        );
        const stderr = await startsAndAnswers(pidfile);
        assert.match(stderr, /pidfile lock with no live holder cleared/);
        const aside = readdirSync(shared).filter((file) =>
          file.startsWith(`healthcheckd-${round}.pid.lock.stale-`),
        );
        assert.equal(aside.length, 1, 'moved aside whole, never walked');
      },
    );

    it('a pidfile naming pid 1 and a fresh lock', { skip: asRoot, timeout: 30_000 }, async () => {
      const pidfile = fresh();
      asNobody('echo 1 > "$1" && mkdir "$1.lock"', pidfile);
      const stderr = await startsAndAnswers(pidfile);
      assert.match(stderr, /pidfile with no live holder taken over/);
    });

    it(
      "a pidfile naming nobody's own live process",
      { skip: asRoot, timeout: 30_000 },
      async () => {
        const pidfile = fresh();
        const sleeper = spawn('setpriv', [...setpriv, 'sleep', '60'], { stdio: 'ignore' });
        try {
          assert.ok(sleeper.pid !== undefined);
          await eventually(() => /sleep/.test(readFileSync(`/proc/${sleeper.pid}/comm`, 'utf8')));
          asNobody('echo "$2" > "$1"', pidfile, String(sleeper.pid));
          await startsAndAnswers(pidfile);
        } finally {
          sleeper.kill('SIGKILL');
        }
      },
    );

    it(
      'a symlink at the pidfile path, a guard and a lock that are links',
      {
        skip: asRoot,
        timeout: 30_000,
      },
      async () => {
        const pidfile = fresh();
        const victim = join(dir.path, 'victim');
        writeFileSync(victim, 'precious\n');
        asNobody(
          'ln -s "$2" "$1" && ln -s "$2" "$1.lock" && ln -s "$2" "$1.starting"',
          pidfile,
          victim,
        );
        await startsAndAnswers(pidfile);
        assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
        assert.equal(lstatSync(victim).uid, 0);
      },
    );

    it(
      'a daemon run as nobody respects a running root daemon on the same pidfile',
      {
        skip: asRoot,
        timeout: 30_000,
      },
      async () => {
        const pidfile = fresh();
        const root = await startDaemon(args(pidfile));
        try {
          const second = cliAsNobody(args(pidfile));
          assert.equal(second.code, 1, second.stderr);
          assert.match(
            second.stderr,
            new RegExp(`already running \\(pid ${root.pid}, pidfile ${escape(pidfile)}\\)`),
          );
          assert.equal(readFileSync(pidfile, 'utf8'), `${root.pid}\n`);
        } finally {
          await root.stop();
        }
      },
    );

    it(
      "a daemon run as nobody that cannot clear root's leftover lock says what to do",
      {
        skip: asRoot,
        timeout: 30_000,
      },
      () => {
        const pidfile = fresh();
        mkdirSync(`${pidfile}.lock`);
        const result = cliAsNobody(args(pidfile));
        assert.equal(result.code, 1, result.stderr);
        assert.match(
          result.stderr,
          /^healthcheckd: cannot write pidfile .*EPERM.*another user's file is in the way: remove it as root or use a piddir only healthcheckd's user can write$/m,
        );
        assert.equal(existsSync(pidfile), false);
      },
    );
  },
);
