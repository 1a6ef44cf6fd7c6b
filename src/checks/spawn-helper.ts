import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Exit, Leader } from './leader.js';
import { findProgram, hostElf, kernelRuns } from './program-file.js';
import { signalGroup } from './process-group.js';

/**
 * The spawn helper (native/spawn-helper.c, README "Spawn helper"): a small long-lived
 * process that starts the runs' leaders with vfork, so that no run copies the daemon's page
 * tables. The daemon keeps every decision; the helper starts, relays output, reaps and
 * signals. When it is missing, not yet ready or dead, runs are started with Node's spawn.
 */
export interface SpawnHelper {
  /** The helper's file. */
  readonly file: string;
  /** Whether runs can be started through it now. */
  readonly ready: () => boolean;
  /**
   * Starts a run's leader; throws, as spawn does, for an argument it cannot pass (a NUL
   * byte). `file` is absolute.
   */
  readonly start: (request: HelperRequest) => Leader;
  /** Stops the helper (its runs' groups are SIGKILLed by it) and does not restart it. */
  readonly close: () => void;
}

/** One run, as the helper starts it. */
export interface HelperRequest {
  /** Absolute path of the program. */
  readonly file: string;
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** A cgroup.procs file the child enters before exec, or null. */
  readonly cgroupProcs: string | null;
  readonly uid?: number;
  readonly gid?: number;
  /** Output bytes to relay; the rest is counted only. */
  readonly capBytes: number;
}

/** Where the helper is looked for when `spawn_helper = auto` (README, "Spawn helper"). */
export function helperCandidates(): string[] {
  const candidates = [
    // Beside the single executable (build/sea), or beside node.
    join(dirname(process.execPath), 'healthcheckd-spawn-helper'),
    // The Debian package.
    '/usr/libexec/healthcheckd/spawn-helper',
  ];
  try {
    // dist/src/checks → dist/native, where `npm run build` puts it when a C compiler is there.
    candidates.push(
      join(
        dirname(fileURLToPath(import.meta.url)),
        '..',
        '..',
        'native',
        'healthcheckd-spawn-helper',
      ),
    );
  } catch {
    // the single-executable bundle has no file URL of its own
  }
  return candidates;
}

/**
 * The helper file for a `spawn_helper` setting: `off` is null, a path is that file, `auto`
 * is the first candidate found. Only an executable file of this machine's kind counts.
 */
export function locateSpawnHelper(setting: string, candidates = helperCandidates()): string | null {
  if (setting === 'off') return null;
  const host = hostElf();
  if (host === null) return null;
  const usable = (file: string): boolean =>
    findProgram(file, '') === file && kernelRuns(file, host);
  if (setting !== 'auto') return usable(setting) ? setting : null;
  return candidates.find(usable) ?? null;
}

/** What the helper said of one run, and whom to tell. */
interface Pending {
  started: boolean;
  exited: boolean;
  closed: boolean;
  /** Bytes cut by the cap, once the output closed before the exit was told. */
  closedEarly: number | null;
  readonly onStart: ((pid: number) => void)[];
  readonly onFail: ((error: Error) => void)[];
  readonly onOutput: ((chunk: Buffer) => void)[];
  readonly onExit: ((exit: Exit) => void)[];
  readonly onClosed: ((uncounted: number) => void)[];
  relayed: number;
  readonly file: string;
}

export interface HelperOptions {
  /** Said when the helper dies unasked, or never says it is ready (the daemon's logger). */
  readonly warn?: (line: string) => void;
  /** First wait before starting it again after it died; doubles while it keeps dying. Default 1 s. */
  readonly restartMs?: number;
  /** How long it may take to say it is ready before it is stopped. Default 5 s. */
  readonly readyMs?: number;
}

/** The longest wait between two starts of a helper that keeps dying. */
const restartMaxMs = 60_000;
/**
 * Starts after which a helper that has never said it is ready is given up for the daemon's
 * life: a program that cannot run here (a C library older than the one it was built against,
 * as an npm package's helper may meet) fails the same way every time.
 */
export const neverReadyStarts = 3;
/** Ready this long, a helper that dies is started again after the first wait, not a longer one. */
const steadyMs = 10_000;

/**
 * Starts the helper at `file` and keeps it running: again `restartMs` after it dies, and
 * twice as long each time it dies again before it was ready for 10 s (at most a minute). A
 * program that does not say it is the helper within `readyMs` is stopped the same way. One
 * that has not said it is ready in `neverReadyStarts` starts is not started again: `ready()`
 * stays false and runs use Node spawn.
 */
export function startSpawnHelper(file: string, options: HelperOptions = {}): SpawnHelper {
  const runs = new Map<number, Pending>();
  let child: ChildProcess | null = null;
  let isReady = false;
  let readyAt = 0;
  let closed = false;
  let everReady = false;
  let unreadyEnds = 0;
  let nextId = 1;
  let restart: NodeJS.Timeout | undefined;
  const firstWaitMs = options.restartMs ?? 1000;
  let waitMs = firstWaitMs;

  /** The helper `current` is gone: its runs fail, and it is started again later. */
  const ended = (current: ChildProcess, why: string | null): void => {
    if (child !== current) return;
    child = null;
    const steady = isReady && performance.now() - readyAt >= steadyMs;
    isReady = false;
    lose();
    if (closed) return;
    if (!everReady && (unreadyEnds += 1) >= neverReadyStarts) {
      closed = true;
      options.warn?.(
        `spawn helper ${file} never said it was ready in ${neverReadyStarts} starts ` +
          `(last: ${why ?? 'silent'}): not started again; runs use Node spawn`,
      );
      return;
    }
    waitMs = steady ? firstWaitMs : Math.min(waitMs * 2, restartMaxMs);
    if (why !== null) {
      options.warn?.(
        `spawn helper ${file} ended (${why}): its runs failed; runs use Node spawn ` +
          `until it is started again in ${Math.round(waitMs / 1000)} s`,
      );
    }
    restart = setTimeout(launch, waitMs);
    restart.unref();
  };

  const launch = (): void => {
    isReady = false;
    const current = spawn(file, [], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    child = current;
    current.unref();
    (current.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    (current.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    current.stdin?.on('error', () => undefined);
    // A helper that could not be started gets no exit: it ends here.
    current.once('error', (error) => {
      if (current.pid === undefined) ended(current, error.message);
    });
    let silent: NodeJS.Timeout | undefined = setTimeout(() => {
      options.warn?.(
        `spawn helper ${file} did not say it was ready within ` +
          `${Math.round((options.readyMs ?? 5000) / 1000)} s (is it healthcheckd's?): ` +
          'stopped; runs use Node spawn',
      );
      silent = undefined;
      ended(current, null);
      current.kill('SIGKILL');
    }, options.readyMs ?? 5000);
    silent.unref();
    const parse = replyParser((reply) => {
      if (reply.type === 'R') {
        isReady = reply.args[0] === 'healthcheckd-spawn-helper' && reply.args[1] === '1';
        if (isReady) {
          everReady = true;
          readyAt = performance.now();
          clearTimeout(silent);
        }
        return;
      }
      if (child === current) handle(reply);
    });
    current.stdout?.on('data', parse);
    current.once('exit', (code, signal) => {
      clearTimeout(silent);
      ended(current, signal ?? `exit ${code}`);
    });
  };

  /** Every run in flight fails: not started, or lost (its leader may still run: the fence kills it). */
  const lose = (): void => {
    for (const run of runs.values()) {
      if (!run.started) {
        const error = Object.assign(new Error(`spawn ${run.file}: the spawn helper ended`), {
          code: 'ESRCH',
        });
        for (const listener of run.onFail) listener(error);
        continue;
      }
      if (!run.exited)
        for (const listener of run.onExit) listener({ code: null, signal: null, lost: true });
      if (!run.closed) for (const listener of run.onClosed) listener(0);
    }
    runs.clear();
  };

  // A run is forgotten once both its exit and the end of its output were told (either first).
  const forgetIfDone = (id: number, run: Pending): void => {
    if (run.exited && run.closed) runs.delete(id);
  };
  const handle = (reply: Reply): void => {
    const run = runs.get(reply.id);
    if (!run) return;
    switch (reply.type) {
      case 'P':
        run.started = true;
        for (const listener of run.onStart) listener(Number(reply.args[0]));
        return;
      case 'F':
        runs.delete(reply.id);
        for (const listener of run.onFail) listener(spawnError(run.file, reply.args));
        return;
      case 'O':
        run.relayed += reply.data?.length ?? 0;
        for (const listener of run.onOutput) listener(reply.data ?? Buffer.alloc(0));
        return;
      case 'X': {
        const code = Number(reply.args[0]);
        const signo = Number(reply.args[1]);
        const exit = code < 0 ? { code: null, signal: signalName(signo) } : { code, signal: null };
        run.exited = true;
        forgetIfDone(reply.id, run);
        for (const listener of run.onExit) listener(exit);
        if (run.closedEarly !== null)
          for (const listener of run.onClosed) listener(run.closedEarly);
        return;
      }
      case 'D': {
        run.closed = true;
        forgetIfDone(reply.id, run);
        const uncounted = Math.max(0, Number(reply.args[0]) - run.relayed);
        // Told after the exit, as Node's 'close' comes after 'exit' (command.ts counts on it).
        if (!run.exited) run.closedEarly = uncounted;
        else for (const listener of run.onClosed) listener(uncounted);
        return;
      }
    }
  };

  const write = (fields: readonly string[]): boolean => {
    if (child?.stdin?.writable !== true) return false;
    child.stdin.write(Buffer.from(fields.map((field) => `${field}\0`).join('')));
    return true;
  };

  launch();
  return {
    file,
    ready: () => isReady && !closed,
    start(request) {
      const env = Object.entries(request.env).flatMap(([name, value]) =>
        value === undefined ? [] : [`${name}=${value}`],
      );
      const fields = [
        'S',
        String(nextId),
        request.cgroupProcs ?? '',
        request.uid === undefined ? '' : String(request.uid),
        request.gid === undefined ? '' : String(request.gid),
        String(request.capBytes),
        request.file,
        String(request.argv.length),
        ...request.argv,
        String(env.length),
        ...env,
      ];
      if (fields.some((field) => field.includes('\0'))) {
        throw Object.assign(
          new TypeError('a command, its arguments and environment cannot hold NUL bytes'),
          {
            code: 'ERR_INVALID_ARG_VALUE',
          },
        );
      }
      const id = nextId;
      nextId += 1;
      const run: Pending = {
        started: false,
        exited: false,
        closed: false,
        closedEarly: null,
        onStart: [],
        onFail: [],
        onOutput: [],
        onExit: [],
        onClosed: [],
        relayed: 0,
        file: request.argv[0] ?? request.file,
      };
      runs.set(id, run);
      if (!write(fields)) queueMicrotask(lose);
      return {
        onStart(started, failed) {
          run.onStart.push(started);
          run.onFail.push(failed);
        },
        onOutput: (listener) => void run.onOutput.push(listener),
        onError: () => undefined,
        onExit: (listener) => void run.onExit.push(listener),
        onClosed: (listener) => void run.onClosed.push(listener),
        cutOutput: () => void write(['C', String(id)]),
        // Through the helper while it runs (it knows whether the leader was reaped); else
        // directly, as the fence would for a leader someone else reaped.
        send: (pgid, signal) =>
          write(['K', String(id), String(pgid), String(constants.signals[signal])]) ||
          signalGroup(pgid, signal),
      };
    },
    close() {
      closed = true;
      clearTimeout(restart);
      child?.stdin?.end();
    },
  };
}

/**
 * Whether `helper` can start a process born in the cgroup whose cgroup.procs is `procs`, as
 * it starts runs: it is asked to start one with an empty file name, so every step up to the
 * exec (the birth in the cgroup, setsid, stdio) is taken and only the exec fails (ENOENT).
 * False when another step failed; null when the helper said nothing within `waitMs` or
 * ended first (it may not be the helper at all: its supervision says so), or the host had no
 * process or memory to spare (EAGAIN, ENOMEM).
 */
export function bornIn(
  helper: SpawnHelper,
  procs: string,
  waitMs = 2_000,
): Promise<boolean | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), waitMs);
    const done = (born: boolean | null): void => {
      clearTimeout(timer);
      resolve(born);
    };
    const probe = helper.start({ file: '', argv: [''], env: {}, cgroupProcs: procs, capBytes: 0 });
    probe.onStart(
      () => probe.onExit(() => done(false)), // an empty file name cannot be run
      (error) => {
        const { code, stage } = error as NodeJS.ErrnoException & { stage?: string };
        // The helper ended (ESRCH), or the host was short of processes or memory for a moment.
        const unproven = code === 'ESRCH' || code === 'EAGAIN' || code === 'ENOMEM';
        done(stage === 'exec' ? true : unproven ? null : false);
      },
    );
  });
}

/** One reply line of the helper; `data` only for `O`. */
interface Reply {
  readonly type: string;
  readonly id: number;
  readonly args: readonly string[];
  readonly data?: Buffer;
}

/** Splits the helper's reply stream into replies, however the bytes arrive. */
export function replyParser(onReply: (reply: Reply) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      const end = pending.indexOf(10);
      if (end < 0) return;
      const [type = '', ...rest] = pending.subarray(0, end).toString('latin1').split(' ');
      // `R name version` has no id.
      const [id, ...args] = type === 'R' ? ['0', ...rest] : rest;
      const size = type === 'O' ? Number(args[0]) : 0;
      if (pending.length < end + 1 + size) return;
      const data = pending.subarray(end + 1, end + 1 + size);
      pending = pending.subarray(end + 1 + size);
      onReply({ type, id: Number(id), args, ...(type === 'O' ? { data: Buffer.from(data) } : {}) });
    }
  };
}

/** The error spawn gives for a start that failed (`F id stage errno`). */
function spawnError(file: string, [stage = 'exec', errno = '0']: readonly string[]): Error {
  const number = Number(errno);
  const code =
    Object.entries(constants.errno).find(([, value]) => value === number)?.[0] ?? `errno ${errno}`;
  const what = stage === 'exec' ? `spawn ${file}` : `spawn ${file} (${stage})`;
  return Object.assign(new Error(`${what} ${code}`), {
    code,
    stage,
    errno: -number,
    syscall: `spawn ${file}`,
    path: file,
  });
}

function signalName(signo: number): NodeJS.Signals | null {
  const found = Object.entries(constants.signals).find(([, value]) => value === signo);
  return (found?.[0] as NodeJS.Signals | undefined) ?? null;
}
