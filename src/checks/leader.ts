import type { ChildProcess } from 'node:child_process';
import { signalGroup } from './process-group.js';

/** How a leader ended: its exit code or signal; `lost` when no one can tell (its helper died). */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lost?: boolean;
}

/**
 * The first process of a run, however it was started (Node's spawn, or the spawn helper),
 * as command.ts follows it. Listeners are set right after creation, before any event comes.
 */
export interface Leader {
  /** `started` with its PID (its process group's) once it runs, or `failed` when it did not. */
  readonly onStart: (started: (pid: number) => void, failed: (error: Error) => void) => void;
  /** Output of stdout and stderr, as it comes. */
  readonly onOutput: (listener: (chunk: Buffer) => void) => void;
  /** An error of a leader that runs (a failed kill, say). */
  readonly onError: (listener: (error: Error) => void) => void;
  /** It was reaped. */
  readonly onExit: (listener: (exit: Exit) => void) => void;
  /** Its output closed; `uncounted` bytes of it were read but never handed over (the cap). */
  readonly onClosed: (listener: (uncounted: number) => void) => void;
  /** Stops reading its output (a grandchild holds the pipe open past the grace). */
  readonly cutOutput: () => void;
  /** Sends a signal to its process group through whoever started it; false when not sent. */
  readonly send: (pgid: number, signal: NodeJS.Signals) => boolean;
}

/** The leader of a child started with Node's spawn (stdio ignore, pipe, pipe). */
export function childLeader(child: ChildProcess): Leader {
  return {
    onStart(started, failed) {
      if (child.pid === undefined) child.once('error', failed);
      else started(child.pid);
    },
    onOutput(listener) {
      child.stdout?.on('data', listener);
      child.stderr?.on('data', listener);
    },
    onError: (listener) => void child.once('error', listener),
    onExit: (listener) => void child.once('exit', (code, signal) => listener({ code, signal })),
    onClosed: (listener) => void child.once('close', () => listener(0)),
    cutOutput() {
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
    send: signalGroup,
  };
}
