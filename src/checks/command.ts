import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { RunResult, Status } from '../types.js';
import { appendLine } from '../util/text.js';
import { endedNow, failedOutcome, type RunOutcome } from './result.js';
import { createOutputCapture, type OutputCapture } from './output-capture.js';
import { signalGroup, terminateGroup } from './process-group.js';
import type { ProcessTracker } from './process-tracker.js';

/** How to run one command check. */
export interface CommandSpec {
  readonly command: string;
  readonly shell: string;
  /** Set when the command has no shell syntax: run this argv without the shell. */
  readonly argv?: readonly string[] | null;
  /** Environment for the child, HEALTHCHECKD_CHECK included. */
  readonly env: NodeJS.ProcessEnv;
  readonly warnExitCodes: readonly number[];
  readonly uid?: number;
  readonly gid?: number;
}

/** How long a background grandchild may keep the output pipe open after the command exits. */
export const pipeGraceMs = 100;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Runs `shell -c command` (or the argv directly, when it has no shell syntax) in its own
 * process group, stdin closed; never rejects. `onGone` is called once the process group is
 * gone: at the answer normally, up to 1 s after it when a timeout had to kill the group.
 */
export function runCommand(
  spec: CommandSpec,
  timeoutMs: number,
  tracker: ProcessTracker,
  configuredMs = timeoutMs,
  onGone: () => void = () => undefined,
): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const capture = createOutputCapture();
    let settled = false;
    let timer: NodeJS.Timeout | undefined = undefined;
    const settle = (outcome: RunOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(endedNow({ ...outcome, durationMs: performance.now() - started }));
    };
    const program = spec.argv?.[0] ?? spec.shell;
    let child: ChildProcess;
    try {
      child = startChild(spec);
    } catch (error) {
      // spawn throws synchronously on arguments it cannot pass (a NUL byte, say)
      onGone();
      return settle(spawnFailure(program, error as Error));
    }
    if (child.pid === undefined) {
      child.once('error', (error) => {
        onGone();
        settle(spawnFailure(program, error));
      });
      return;
    }
    const pgid = child.pid;
    tracker.add(pgid);
    child.stdout?.on('data', capture.add);
    child.stderr?.on('data', capture.add);
    child.once('error', (error) => settle(spawnFailure(program, error)));
    timer = setTimeout(() => {
      tracker.forget(pgid, terminateGroup(pgid));
      settle(timedOut(capture, configuredMs));
    }, timeoutMs);
    // The exit, not the end of the output, stops the clock: a command that exited in time
    // is never reported as timed out while its pipe drains.
    child.once('exit', () => clearTimeout(timer));
    awaitExit(child, pgid, tracker, onGone, (exit) =>
      settle(classify(exit, capture, spec.warnExitCodes)),
    );
  });
}

function startChild(spec: CommandSpec): ChildProcess {
  const [file, ...args] = spec.argv ?? [spec.shell, '-c', spec.command];
  return spawn(file ?? spec.shell, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: spec.env,
    ...(spec.uid === undefined ? {} : { uid: spec.uid }),
    ...(spec.gid === undefined ? {} : { gid: spec.gid }),
  });
}

/**
 * Calls `done` once the command has exited and its output is closed. A background grandchild
 * holding the pipe open gets `pipeGraceMs`, then the output is cut. Whatever is left of the
 * process group afterwards is killed: no orphan outlives its check.
 */
function awaitExit(
  child: ChildProcess,
  pgid: number,
  tracker: ProcessTracker,
  onGone: () => void,
  done: (exit: Exit) => void,
): void {
  let exit: Exit | null = null;
  let grace: NodeJS.Timeout | undefined;
  const conclude = (): void => {
    clearTimeout(grace);
    signalGroup(pgid, 'SIGKILL');
    tracker.remove(pgid);
    onGone();
    if (exit) done(exit);
  };
  child.once('exit', (code, signal) => {
    exit = { code, signal };
    grace = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
      conclude();
    }, pipeGraceMs);
  });
  child.once('close', conclude);
}

function classify(
  exit: Exit,
  capture: OutputCapture,
  warnExitCodes: readonly number[],
): RunOutcome {
  let status: Status = 'fail';
  if (exit.code === 0) status = 'pass';
  else if (exit.code !== null && warnExitCodes.includes(exit.code)) status = 'warn';
  const output = capture.text();
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
