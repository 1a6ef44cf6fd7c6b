import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type CliProcess, type Exit, runCli, startCli, startDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { fixtures, tempDir } from '../support/paths.js';
import { killAll } from '../support/processes.js';
import { eventually } from '../support/wait.js';

const rounds = 20;
/** Bounds the whole race test so that a hang fails it instead of stalling the suite. */
const raceDeadlineMs = 100_000;

/** Takes a pidfile with the real acquirePidfile, stalling the PID write (see the fixture). */
const slowWriter = join(fixtures, 'reliability', 'slow-pidfile-write.mjs');

/** Runs a fixture script with node, output collected like the CLI's. */
function startFixture(argv: readonly string[]): CliProcess {
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (): Promise<RegExpExecArray> => Promise.reject(new Error('not supported'));
  return { child, pid: child.pid ?? -1, stdout: () => out, stderr: () => err, exited, waitFor };
}

type Outcome =
  | { readonly kind: 'listening'; readonly port: number }
  | { readonly kind: 'exited'; readonly exit: Exit }
  | { readonly kind: 'hung' };

/** Whether a started daemon came up (its startup line) or exited first, within 15 s. */
async function outcome(cli: CliProcess): Promise<Outcome> {
  try {
    const match = await cli.waitFor(/listening on http:\/\/[^\s"]*:(\d+)/, 15_000);
    return { kind: 'listening', port: Number(match[1]) };
  } catch {
    if (cli.child.exitCode === null && cli.child.signalCode === null) return { kind: 'hung' };
    return { kind: 'exited', exit: await cli.exited };
  }
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('pidfile races', { timeout: 180_000 }, () => {
  const dir = tempDir('hcd-pidrace-');
  const started: CliProcess[] = [];
  after(async () => {
    const running = started.filter(
      (cli) => cli.child.exitCode === null && cli.child.signalCode === null,
    );
    killAll(running.map((cli) => cli.pid));
    await Promise.all(started.map((cli) => cli.exited));
    dir.cleanup();
  });
  const args = (pidfile: string): string[] => [
    ...['--port', '0', '--bind', '127.0.0.1', '--pidfile', pidfile, '--command', 'true'],
  ];

  /** Starts two daemons in the same tick and checks that exactly one of them runs. */
  async function race(pidfile: string, round: number): Promise<void> {
    const pair = [
      startCli(args(pidfile), { cwd: dir.path }),
      startCli(args(pidfile), { cwd: dir.path }),
    ];
    started.push(...pair);
    const outcomes = await Promise.all(pair.map(outcome));
    const where = `round ${round}: ${JSON.stringify(outcomes)}\n${pair.map((cli) => cli.stderr()).join('\n')}`;
    const winners = pair.filter((_, i) => outcomes[i]?.kind === 'listening');
    assert.equal(winners.length, 1, `exactly one daemon runs; ${where}`);
    const winner = winners[0] as CliProcess;
    const loser = pair.find((cli) => cli !== winner) as CliProcess;
    const lost = outcomes[pair.indexOf(loser)];
    assert.deepEqual(lost, { kind: 'exited', exit: { code: 1, signal: null } }, where);
    // Between the winner's lock and its pid write the loser cannot name it: "pid unknown".
    const named = new RegExp(
      `already running \\(pid (\\d+|unknown), pidfile ${escape(pidfile)}\\)`,
    );
    const match = named.exec(loser.stderr());
    assert.ok(match, `the loser says who runs; ${where}`);
    if (match[1] !== 'unknown') assert.equal(Number(match[1]), winner.pid, where);
    const won = outcomes[pair.indexOf(winner)] as { port: number };
    assert.equal((await httpRequest(won.port)).status, 200, where);
    assert.equal(readFileSync(pidfile, 'utf8').trim(), String(winner.pid), where);
    winner.child.kill('SIGTERM');
    assert.deepEqual(await winner.exited, { code: 0, signal: null }, where);
    assert.equal(existsSync(pidfile), false, `the clean stop removes the pidfile; ${where}`);
  }

  it(`two daemons started at the same instant: exactly one runs (${rounds} rounds)`, async () => {
    const pidfile = join(dir.path, 'race.pid');
    const deadline = Date.now() + raceDeadlineMs;
    for (let round = 1; round <= rounds; round++) {
      assert.ok(Date.now() < deadline, `only ${round - 1} rounds within ${raceDeadlineMs} ms`);
      await race(pidfile, round);
    }
  });

  /** The slow-write scenario below: the crashed daemon's pid and the second starter's stderr. */
  const slowWrite = { crashedPid: 0, stderr: '' };

  it('a daemon whose pid write is slow (after a kill -9) is not joined by a second one', async () => {
    const pidfile = join(dir.path, 'takeover.pid');
    const crashed = await startDaemon(args(pidfile), { cwd: dir.path });
    started.push(crashed);
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    slowWrite.crashedPid = crashed.pid;
    // The first starter takes the stale lock over with healthcheckd's own acquirePidfile, then
    // stalls 3 s writing its PID (a slow disk's fsync): the pidfile still names the dead
    // daemon. Before the start guard, 2-contender races hit this window in about 1 round in 12.
    const slow = startFixture([slowWriter, pidfile, '3000']);
    started.push(slow);
    try {
      assert.ok(await eventually(() => slow.stdout().includes('writing'), 10_000), slow.stderr());
      const second = startCli(args(pidfile), { cwd: dir.path });
      started.push(second);
      const result = await outcome(second);
      slowWrite.stderr = second.stderr();
      assert.deepEqual(
        result,
        { kind: 'exited', exit: { code: 1, signal: null } },
        second.stderr(),
      );
      assert.match(second.stderr(), /already running/);
    } finally {
      slow.child.kill('SIGTERM');
    }
  });

  it('the daemon refused while another is starting does not name the dead one', {}, () => {
    assert.notEqual(slowWrite.crashedPid, 0, 'the test above ran');
    assert.doesNotMatch(slowWrite.stderr, new RegExp(`pid ${slowWrite.crashedPid}\\b`));
  });
});

describe('unusable pid and spool directories', { timeout: 60_000 }, () => {
  const dir = tempDir('hcd-dirs-');
  after(() => dir.cleanup());
  // Tests run as root in CI, which may write anywhere: a path below a regular file fails for
  // everyone (ENOTDIR).
  const file = join(dir.path, 'file');
  writeFileSync(file, 'not a directory\n');

  const expectOneClearLine = (stderr: string, path: string): void => {
    const lines = stderr.split('\n').filter((text) => text.includes(path));
    assert.ok(lines.length > 0, `a line names ${path}: ${stderr}`);
    assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
  };

  it('a pidfile below a regular file: exit 1 naming the path', async () => {
    const pidfile = join(file, 'sub', 'x.pid');
    const result = await runCli(
      ['--port', '0', '--bind', '127.0.0.1', '--pidfile', pidfile, '--command', 'true'],
      { cwd: dir.path },
    );
    assert.equal(result.code, 1, result.stderr);
    expectOneClearLine(result.stderr, pidfile);
  });

  it('a piddir that does not exist: exit 1 naming the path', async () => {
    const piddir = join(dir.path, 'missing');
    const config = join(dir.path, 'missing.config');
    writeFileSync(
      config,
      `[healthcheckd]\nport = 0\nbind = 127.0.0.1\npiddir = ${piddir}\ncommand = true\n`,
    );
    const result = await runCli([config], { cwd: dir.path });
    assert.equal(result.code, 1, result.stderr);
    expectOneClearLine(result.stderr, piddir);
  });

  it('a piddir below a regular file: exit 1 naming the path', async () => {
    const piddir = join(file, 'sub');
    const config = join(dir.path, 'below-file.config');
    writeFileSync(
      config,
      `[healthcheckd]\nport = 0\nbind = 127.0.0.1\npiddir = ${piddir}\ncommand = true\n`,
    );
    const result = await runCli([config], { cwd: dir.path });
    assert.equal(result.code, 1, result.stderr);
    expectOneClearLine(result.stderr, piddir);
  });

  it('healthcheckd down with a spool_dir below a regular file: exit 1 naming the path', async () => {
    const spool = join(file, 'sub');
    const config = join(dir.path, 'spool.config');
    writeFileSync(config, `[healthcheckd]\nspool_dir = ${spool}\ncommand = true\n`);
    const result = await runCli(['down', config, '--reason', 'fuzz'], { cwd: dir.path });
    assert.equal(result.code, 1, result.stderr);
    expectOneClearLine(result.stderr, spool);
  });
});
