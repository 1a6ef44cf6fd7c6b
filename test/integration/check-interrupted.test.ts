import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pollUntil, scratchDir, startCliChild } from '../support/cli-child.js';

/** True while `pid` runs: a zombie waiting to be reaped has stopped running. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** PIDs written, one a line, by the check's processes. */
function pidsIn(file: string): number[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Case A-12: `healthcheckd check` stopped by SIGINT, SIGTERM or SIGHUP kills the process
 * groups of its runs (out of reach of the terminal and of a kill of the CLI's own group)
 * and exits 128 + the signal's number.
 */
describe('healthcheckd check, interrupted', { timeout: 120_000 }, () => {
  const dir = scratchDir();
  after(() => dir.cleanup());

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(
      `${signal}: kills the runs' process groups and exits ${code}`,
      {
        timeout: 30_000,
      },
      async () => {
        const pids = join(dir.path, `${signal}.pids`);
        const file = join(dir.path, `${signal}.config`);
        // Two processes in the group: the shell and a sleep it waits for.
        writeFileSync(
          file,
          '[check:long]\n' +
            `command = "echo $$ >> ${pids}; sleep 30 & echo $! >> ${pids}; wait"\n` +
            'timeout = 25s\n' +
            '[check:short]\ncommand = true\n',
        );
        const cli = startCliChild(['check', file], { cwd: dir.path });
        try {
          assert.ok(await pollUntil(() => pidsIn(pids).length === 2, 15_000), 'the check started');
          const running = pidsIn(pids);
          assert.ok(running.every(alive));
          cli.child.kill(signal);
          const exit = await cli.exited;
          assert.equal(exit.code, code, cli.stderr());
          assert.match(cli.stderr(), new RegExp(`stopped by ${signal}`));
          assert.equal(cli.stdout(), '', 'no verdict is printed');
          assert.ok(
            await pollUntil(() => !running.some(alive), 5_000),
            `left alive: ${running.filter(alive).join(' ')}`,
          );
        } finally {
          cli.child.kill('SIGKILL');
          for (const pid of pidsIn(pids)) {
            if (alive(pid)) process.kill(pid, 'SIGKILL');
          }
        }
      },
    );
  }
});
