import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { RunResult, Status } from '../types.js';
import { appendLine } from '../util/text.js';
import { endedNow, failedOutcome, type RunOutcome } from './result.js';
import { createOutputCapture, outputLimitBytes, type OutputCapture } from './output-capture.js';
import type { Launch } from './cage.js';
import { childLeader, type Exit, type Leader } from './leader.js';
import { findProgram } from './program-file.js';
import { programError } from './program-path.js';
import type { SpawnHelper } from './spawn-helper.js';
import type { ProcessTracker } from './process-tracker.js';
import type { RunFence } from './run-fence.js';

/** How to run one command check. */
export interface CommandSpec {
  readonly command: string;
  readonly shell: string;
  /** Set when the command has no shell syntax: run this argv without the shell. */
  readonly argv?: readonly string[] | null;
  /** The file `argv[0]` names, when the run's plan already found it on PATH. */
  readonly file?: string;
  /** Environment for the child, HEALTHCHECKD_CHECK included. */
  readonly env: NodeJS.ProcessEnv;
  readonly warnExitCodes: readonly number[];
  readonly uid?: number;
  readonly gid?: number;
}

/** How long a background grandchild may keep the output pipe open after the command exits. */
export const pipeGraceMs = 100;

/** One run in progress: what the steps below share. */
interface Run {
  readonly spec: CommandSpec;
  readonly fence: RunFence;
  readonly capture: OutputCapture;
  /** Answers the run (the first answer wins). */
  readonly settle: (outcome: RunOutcome) => void;
  /** The answer when the command could not be started, or failed to spawn. */
  readonly failure: (error: Error) => RunOutcome;
  /** Ends a run whose leader never ran: nothing to wait for but the cage. */
  readonly notStarted: (outcome: RunOutcome) => void;
}

/**
 * Runs `shell -c command` (or the argv directly, when it has no shell syntax) in its own
 * process group, inside the tracker's containment (a cgroup or PID namespace per run where
 * the host allows it), stdin closed; never rejects. `onGone` is called once the run's
 * processes are gone: at the answer normally, up to 1 s after it when a timeout had to kill.
 */
export function runCommand(
  spec: CommandSpec,
  timeoutMs: number,
  tracker: ProcessTracker,
  configuredMs = timeoutMs,
  onGone: () => void = () => undefined,
): Promise<RunResult> {
  const started = performance.now();
  const fence = tracker.open();
  fence.onGone(onGone);
  return new Promise((resolve) => {
    const capture = createOutputCapture();
    let settled = false;
    let spawned = false;
    const settle = (outcome: RunOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(endedNow({ ...outcome, durationMs: performance.now() - started }));
    };
    // Counted from the call: setting up a namespace is part of the run's time.
    const timer = setTimeout(() => {
      if (spawned) fence.terminate();
      else fence.kill();
      settle(timedOut(capture, configuredMs));
    }, timeoutMs);
    const program = spec.argv?.[0] ?? spec.shell;
    const run: Run = {
      spec,
      fence,
      capture,
      settle,
      failure: (error) => spawnFailure(program, error),
      notStarted: (outcome) => {
        fence.leaderGone();
        fence.kill();
        settle(outcome);
      },
    };
    launchFor(spec, tracker, fence).then(
      (launch) => {
        const leader = start(run, launch, tracker.helper);
        if (!leader) return;
        spawned = true;
        // The exit, not the end of the output, stops the clock: a command that exited in time
        // is never reported as timed out while its pipe drains.
        leader.onExit(() => clearTimeout(timer));
        watchLeader(leader, launch, run);
      },
      (error: Error) => run.notStarted(run.failure(error)),
    );
  });
}

/** How to spawn the spec inside the fence's containment; rejects as spawn would. */
async function launchFor(
  spec: CommandSpec,
  tracker: ProcessTracker,
  fence: RunFence,
): Promise<Launch> {
  const argv = spec.argv ?? [spec.shell, '-c', spec.command];
  const ids = {
    ...(spec.uid === undefined ? {} : { uid: spec.uid }),
    ...(spec.gid === undefined ? {} : { gid: spec.gid }),
  };
  if (tracker.containment.mode === 'pidns') {
    // Behind nsenter, a missing program would be its exit 127: fail as spawn does.
    const missing = programError(argv[0] ?? spec.shell, spec.env);
    if (missing) throw missing;
  }
  return fence.launch(argv, ids);
}

/**
 * Starts the leader, unless the run was stopped meanwhile; null when it did not start. The
 * spawn helper starts it when it is ready and the launch allows; else Node's spawn, with the
 * daemon moved into the run's cgroup for the call.
 */
function start(run: Run, launch: Launch, helper: SpawnHelper | null): Leader | null {
  if (run.fence.killed()) {
    run.notStarted(failedOutcome('[not started: its runs were stopped]'));
    return null;
  }
  try {
    if (helper?.ready() && launch.viaHelper) {
      return helper.start({
        // Found on PATH once per run: by the direct-exec plan, else here.
        file:
          run.spec.file !== undefined && launch.file === run.spec.argv?.[0]
            ? run.spec.file
            : programFile(launch.file, run.spec.env),
        argv: [launch.file, ...launch.args],
        env: run.spec.env,
        cgroupProcs: launch.cgroupProcs,
        ...launch.ids,
        capBytes: outputLimitBytes,
      });
    }
    const child = launch.around(() =>
      spawn(launch.file, launch.args, {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: run.spec.env,
        ...(launch.ids.uid === undefined ? {} : { uid: launch.ids.uid }),
        ...(launch.ids.gid === undefined ? {} : { gid: launch.ids.gid }),
      }),
    );
    return childLeader(child);
  } catch (error) {
    // spawn throws synchronously on arguments it cannot pass (a NUL byte, say)
    run.notStarted(run.failure(error as Error));
    return null;
  }
}

/**
 * The file to execute for `name`, as execvp finds it: itself when it holds a `/`, else the
 * first executable file of that name on the PATH of `env`.
 * @throws Error ENOENT, with spawn's message, when there is none
 */
function programFile(name: string, env: NodeJS.ProcessEnv): string {
  if (name.includes('/')) return name;
  const file = findProgram(name, env.PATH ?? '/usr/bin:/bin');
  if (file !== null) return file;
  throw Object.assign(new Error(`spawn ${name} ENOENT`), { code: 'ENOENT', path: name });
}

/** Follows a started leader: its start, output, errors, exit and the end of its output. */
function watchLeader(leader: Leader, launch: Launch, run: Run): void {
  leader.onStart(
    (pid) => {
      launch.born();
      run.fence.started(pid, leader.send);
      // A leader that runs is still ours after an error (a failed kill, say): answer, and
      // let its exit end the run as usual.
      leader.onError((error) => run.settle(run.failure(error)));
    },
    (error) => {
      launch.born();
      run.notStarted(run.failure(error));
    },
  );
  leader.onOutput(run.capture.add);
  awaitExit(leader, run, (exit) => run.settle(classify(exit, run.capture, run.spec.warnExitCodes)));
}

/**
 * Calls `done` once the command has exited and its output is closed. A background grandchild
 * holding the pipe open gets `pipeGraceMs`, then the output is cut. Whatever is left of the
 * run afterwards is killed: no orphan outlives its check.
 */
function awaitExit(leader: Leader, run: Run, done: (exit: Exit) => void): void {
  let exit: Exit | null = null;
  let grace: NodeJS.Timeout | undefined;
  const conclude = (): void => {
    clearTimeout(grace);
    run.fence.kill();
    if (exit) done(exit);
  };
  leader.onExit((ended) => {
    exit = ended;
    // Lost with its helper, the leader may still run, orphaned: its group is killed while
    // its PID is still its own, before the fence hears it is gone.
    if (ended.lost) run.fence.kill();
    // Told once the leader is reaped: its PID is free from now on.
    run.fence.leaderGone();
    grace = setTimeout(() => {
      leader.cutOutput();
      conclude();
    }, pipeGraceMs);
  });
  leader.onClosed((uncounted) => {
    run.capture.count(uncounted);
    conclude();
  });
}

function classify(
  exit: Exit,
  capture: OutputCapture,
  warnExitCodes: readonly number[],
): RunOutcome {
  let status: Status = 'fail';
  if (exit.code === 0) status = 'pass';
  else if (exit.code !== null && warnExitCodes.includes(exit.code)) status = 'warn';
  const output = exit.lost
    ? appendLine(
        capture.text(),
        '[the spawn helper ended during the run; its processes were killed]',
      )
    : capture.text();
  return {
    status,
    exitCode: exit.code,
    httpStatus: null,
    signal: exit.signal,
    timedOut: false,
    durationMs: 0,
    output: exit.signal ? appendLine(output, `[killed by ${exit.signal}]`) : output,
  };
}

function timedOut(capture: OutputCapture, timeoutMs: number): RunOutcome {
  return failedOutcome(
    appendLine(capture.text(), `[timed out after ${timeoutMs} ms; process group killed]`),
    { timedOut: true },
  );
}

function spawnFailure(shell: string, error: Error): RunOutcome {
  return failedOutcome(`[cannot run ${shell}: ${error.message}]`);
}
