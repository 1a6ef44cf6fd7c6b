import { monotonicNow } from '../../src/util/clock.js';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand, type CommandSpec } from '../../src/checks/command.js';
import { containmentFor, type ContainMode } from '../../src/checks/containment.js';
import { createProcessTracker, type ProcessTracker } from '../../src/checks/process-tracker.js';
import type { SpawnHelper } from '../../src/checks/spawn-helper.js';
import type { RunResult } from '../../src/types.js';
import {
  eventually,
  fixtures,
  groupMembers,
  recordingTracker as recording,
} from '../support/checks.js';
import { helperSkipReason, readyHelper } from '../support/spawn-helper.js';

const shell = '/bin/sh';

/** Every mechanism this host offers: each runs the whole file. */
const modes = (['group', 'cgroup', 'pidns'] as const).filter((mode) => containmentFor(mode));
let mode: ContainMode = 'group';
/** Who starts the runs: Node's spawn, or the spawn helper (it does not start pidns runs). */
const spawners = ['node', 'helper'] as const;
let helper: SpawnHelper | null = null;

function newTracker(): ProcessTracker {
  const containment = containmentFor(mode);
  assert.ok(containment, `${mode} is available`);
  return createProcessTracker({ containment, helper });
}

function spec(command: string, overrides: Partial<CommandSpec> = {}): CommandSpec {
  return { command, shell, env: { ...process.env }, warnExitCodes: [], ...overrides };
}

/** A real tracker that also remembers every process group it was given. */
function recordingTracker(): { tracker: ProcessTracker; pgids: number[] } {
  return recording(newTracker());
}

async function run(
  command: string,
  options: { timeoutMs?: number; spec?: Partial<CommandSpec> } = {},
): Promise<{ result: RunResult; elapsedMs: number; pgid: number; tracker: ProcessTracker }> {
  const { tracker, pgids } = recordingTracker();
  const started = Date.now();
  const result = await runCommand(
    spec(command, options.spec),
    options.timeoutMs ?? 10_000,
    tracker,
  );
  const pgid = pgids[0];
  assert.equal(pgids.length, 1, 'one process group per run');
  assert.ok(pgid !== undefined);
  return { result, elapsedMs: Date.now() - started, pgid, tracker };
}

/** Rejects when `promise` has not settled after `ms`, so a run that never answers fails a test. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

const combinations = modes.flatMap((current) =>
  spawners
    .filter((spawner) => spawner === 'node' || current !== 'pidns')
    .map((spawner) => ({ current, spawner })),
);

for (const { current, spawner } of combinations) {
  const skip = spawner === 'helper' ? (helperSkipReason() ?? false) : false;
  describe(
    `runCommand, contained by ${current}, started by ${spawner}`,
    { timeout: 120_000, skip },
    () => {
      before(async () => {
        mode = current;
        helper = spawner === 'helper' ? await readyHelper() : null;
      });
      after(() => {
        helper?.close();
        helper = null;
      });
      describe('runCommand: exit status', () => {
        it('passes on exit 0', async () => {
          const before = monotonicNow();
          const { result, tracker } = await run('true');
          assert.equal(result.status, 'pass');
          assert.equal(result.exitCode, 0);
          assert.equal(result.signal, null);
          assert.equal(result.timedOut, false);
          assert.equal(result.output, '');
          assert.ok(
            result.durationMs >= 0 && result.durationMs < 5_000,
            `durationMs ${result.durationMs}`,
          );
          assert.ok(result.endedAt >= before && result.endedAt <= monotonicNow());
          assert.ok(await eventually(() => tracker.size() === 0), 'the run is no longer tracked');
        });

        it('fails on exit 2 and reports the exit code', async () => {
          const { result } = await run('echo broken; exit 2');
          assert.deepEqual(
            { status: result.status, exitCode: result.exitCode, signal: result.signal },
            { status: 'fail', exitCode: 2, signal: null },
          );
          assert.equal(result.output, 'broken\n');
        });

        it('warns on an exit code listed in warnExitCodes', async () => {
          const { result } = await run(`${join(fixtures, 'exit-code.sh')} 1`, {
            spec: { warnExitCodes: [1] },
          });
          assert.equal(result.status, 'warn');
          assert.equal(result.exitCode, 1);
          assert.equal(result.output, 'exiting with 1\n');
        });

        it('fails on an exit code not listed in warnExitCodes', async () => {
          const { result } = await run(`${join(fixtures, 'exit-code.sh')} 3`, {
            spec: { warnExitCodes: [1] },
          });
          assert.equal(result.status, 'fail');
          assert.equal(result.exitCode, 3);
        });

        it('fails with the signal when the command is killed', async () => {
          const { result, tracker } = await run('echo before; kill -9 $$');
          assert.equal(result.status, 'fail');
          assert.equal(result.exitCode, null);
          assert.equal(result.signal, 'SIGKILL');
          assert.equal(result.timedOut, false);
          assert.equal(result.output, 'before\n[killed by SIGKILL]');
          assert.ok(await eventually(() => tracker.size() === 0), 'the run is no longer tracked');
        });
      });

      describe('runCommand: output and environment', () => {
        it('captures stdout and stderr both', async () => {
          const { result } = await run('echo out; echo err >&2');
          assert.equal(result.status, 'pass');
          assert.deepEqual(result.output.split('\n').filter(Boolean).sort(), ['err', 'out']);
        });

        it('caps the output at 4 KiB with a marker', async () => {
          const { result } = await run("head -c 100000 /dev/zero | tr '\\0' x");
          assert.equal(result.status, 'pass');
          assert.equal(result.output, `${'x'.repeat(4096)}\n[Captured 4096 of 100000 bytes]`);
        });

        it('passes the environment it is given, HEALTHCHECKD_CHECK included', async () => {
          const env = { PATH: process.env.PATH, HEALTHCHECKD_CHECK: 'mysql-replica' };
          const { result } = await run('printf "%s|%s" "$HEALTHCHECKD_CHECK" "${HOME-unset}"', {
            spec: { env },
          });
          assert.equal(result.output, 'mysql-replica|unset');
        });

        it('runs with stdin closed (reads see end of file at once)', async () => {
          const { result } = await run('read line; echo "read=$?"', { timeoutMs: 5_000 });
          assert.equal(result.timedOut, false);
          assert.equal(result.output, 'read=1\n');
        });

        it('runs the command in a process group of its own', async () => {
          // /proc/self of `cut`, a child of the shell: in a PID namespace $$ is the shell's number there.
          const { result, pgid } = await run("echo $$ $(cut -d' ' -f5 /proc/self/stat)");
          const [pid, pgrp] = result.output.trim().split(' ').map(Number);
          if (mode !== 'pidns') assert.equal(pid, pgid);
          assert.equal(pgrp, pgid);
          assert.notEqual(pgrp, Number(process.pid));
        });
      });

      describe('runCommand: timeout', () => {
        it('fails at the timeout and kills the whole process group', async () => {
          const { result, elapsedMs, pgid, tracker } = await run(
            'echo started; sleep 30 & sleep 30',
            {
              timeoutMs: 300,
            },
          );
          assert.equal(result.status, 'fail');
          assert.equal(result.timedOut, true);
          assert.equal(result.exitCode, null);
          assert.equal(result.signal, null);
          assert.equal(result.output, 'started\n[timed out after 300 ms; process group killed]');
          assert.ok(result.durationMs >= 290, `durationMs ${result.durationMs}`);
          assert.ok(elapsedMs < 2_500, `answered after ${elapsedMs} ms`);
          assert.ok(await eventually(() => groupMembers(pgid).length === 0), 'no process survives');
          assert.ok(await eventually(() => tracker.size() === 0), 'the group is no longer tracked');
        });

        it('SIGKILLs a group that ignores SIGTERM', async () => {
          const { result, elapsedMs, pgid, tracker } = await run(join(fixtures, 'ignore-term.sh'), {
            timeoutMs: 200,
          });
          assert.equal(result.timedOut, true);
          assert.ok(elapsedMs < 2_000, `answered after ${elapsedMs} ms`);
          assert.ok(groupMembers(pgid).length > 0, 'SIGTERM alone does not stop it');
          assert.ok(await eventually(() => groupMembers(pgid).length === 0), 'SIGKILL follows');
          assert.ok(await eventually(() => tracker.size() === 0));
        });
      });

      describe('runCommand: a grandchild holding the output pipe', () => {
        it('answers after the grace period and kills the grandchild', async () => {
          const { result, elapsedMs, pgid, tracker } = await run(
            join(fixtures, 'grandchild-holds-pipe.sh'),
          );
          assert.equal(result.status, 'pass');
          assert.equal(result.exitCode, 0);
          assert.equal(result.output, 'parent done\n');
          assert.ok(
            elapsedMs < 1_500,
            `answered after ${elapsedMs} ms (the grandchild sleeps 30 s)`,
          );
          assert.ok(await eventually(() => tracker.size() === 0), 'the run is no longer tracked');
          assert.ok(
            await eventually(() => groupMembers(pgid).length === 0),
            'the grandchild is killed',
          );
        });
      });

      describe('runCommand: a grandchild holding the output pipe, continued', () => {
        it(
          'reports the exit, not a timeout, when the timeout falls in the pipe grace',
          {},
          async () => {
            // The command exits within a few ms; the 90 ms timeout then lands inside the grace.
            const { result } = await run('sleep 30 & exit 0', { timeoutMs: 90 });
            assert.equal(result.timedOut, false);
            assert.equal(result.status, 'pass');
            assert.equal(result.exitCode, 0);
          },
        );
      });

      describe('runCommand: failures that are not the command', () => {
        it('fails with a message, and does not throw, when the shell is missing', async () => {
          const tracker = newTracker();
          const result = await within(
            runCommand(spec('true', { shell: '/nonexistent/sh' }), 1_000, tracker),
            3_000,
          );
          assert.equal(result.status, 'fail');
          assert.equal(result.exitCode, null);
          assert.equal(result.timedOut, false);
          assert.equal(result.output, '[cannot run /nonexistent/sh: spawn /nonexistent/sh ENOENT]');
          assert.ok(await eventually(() => tracker.size() === 0), 'the run is no longer tracked');
        });

        it('resolves to a failure, never rejects, when spawn throws', {}, async () => {
          const tracker = newTracker();
          const result = await runCommand(spec('echo a\0b'), 1_000, tracker);
          assert.equal(result.status, 'fail');
          assert.match(result.output, /^\[cannot run \/bin\/sh: /);
        });
      });

      describe('runCommand with an argv (no shell)', () => {
        it('executes the argv directly: no expansion, no shell', async () => {
          const { result } = await run('ignored', {
            spec: { argv: ['printf', '%s|%s', '$HOME', '*'] },
          });
          assert.equal(result.status, 'pass');
          assert.equal(result.output, '$HOME|*');
        });

        it('reports the exit code of the program', async () => {
          const { result } = await run('ignored', {
            spec: { argv: [join(fixtures, 'exit-code.sh'), '3'] },
          });
          assert.equal(result.status, 'fail');
          assert.equal(result.exitCode, 3);
          assert.equal(result.output, 'exiting with 3\n');
        });

        it('fails with a message naming the program when it is missing', async () => {
          const tracker = newTracker();
          const result = await within(
            runCommand(
              spec('ignored', { argv: ['/nonexistent/check-disk', '--min', '10%'] }),
              1_000,
              tracker,
            ),
            3_000,
          );
          assert.equal(result.status, 'fail');
          assert.equal(
            result.output,
            '[cannot run /nonexistent/check-disk: spawn /nonexistent/check-disk ENOENT]',
          );
        });

        it('kills the program at the timeout', async () => {
          const { result, pgid } = await run('ignored', {
            spec: { argv: ['sleep', '30'] },
            timeoutMs: 200,
          });
          assert.equal(result.timedOut, true);
          assert.equal(result.output, '[timed out after 200 ms; process group killed]');
          assert.ok(await eventually(() => groupMembers(pgid).length === 0));
        });
      });

      describe('runCommand with the process tracker', () => {
        it('has no group left tracked after passing, failing and signalled runs', async () => {
          const tracker = newTracker();
          await runCommand(spec('true'), 5_000, tracker);
          await runCommand(spec('exit 2'), 5_000, tracker);
          await runCommand(spec('kill -9 $$'), 5_000, tracker);
          await runCommand(spec(join(fixtures, 'grandchild-holds-pipe.sh')), 5_000, tracker);
          assert.ok(await eventually(() => tracker.size() === 0), 'the run is no longer tracked');
        });

        it('killAll() kills a running group and the run answers fail with SIGKILL', async () => {
          const { tracker, pgids } = recordingTracker();
          const started = Date.now();
          const running = runCommand(spec('sleep 30 & sleep 30'), 20_000, tracker);
          assert.equal(tracker.size(), 1);
          assert.ok(await eventually(() => pgids.length === 1), 'the run started');
          tracker.killAll();
          assert.ok(await eventually(() => tracker.size() === 0), 'the run is no longer tracked');
          const result = await running;
          assert.ok(Date.now() - started < 3_000, 'answered well before the 30 s sleep');
          assert.equal(result.status, 'fail');
          assert.equal(result.signal, 'SIGKILL');
          assert.equal(result.timedOut, false);
          const pgid = pgids[0];
          assert.ok(pgid !== undefined);
          assert.ok(await eventually(() => groupMembers(pgid).length === 0));
        });
      });
    },
  );
}
