import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { findProgram } from './program-path.js';

/**
 * One run's PID namespace. Its init is a `sleep` held by `unshare --pid --fork --kill-child`
 * (a child of the daemon, which reaps the init); the command enters it with `nsenter`, which
 * forks it as PID 2 and gives its exit status or signal back as its own. So the command
 * keeps the signal semantics of any process (an init ignores signals it has no handler
 * for), and when the init is SIGKILLed the kernel kills everything else in the namespace,
 * reaped inside it: nothing is reparented to the daemon.
 */
export interface PidNamespace {
  /** The init's PID (in the daemon's namespace) once it runs; rejects when it cannot start. */
  readonly ready: Promise<number>;
  /** SIGKILLs the init, and with it every process in the namespace. Idempotent. */
  readonly kill: () => void;
  /** Resolves once the holder has exited: nothing of the namespace is left. */
  readonly gone: Promise<void>;
}

/** How long the holder may take to fork the init before the run fails. */
const startLimitMs = 5_000;

/** Whether `unshare --pid` and `nsenter` work here (root, or CAP_SYS_ADMIN). */
export function canUnsharePid(): boolean {
  const probe = spawnSync('unshare', ['--pid', '--fork', '--kill-child', 'true'], {
    stdio: 'ignore',
    timeout: 5_000,
  });
  const nsenter = spawnSync('nsenter', ['--version'], { stdio: 'ignore', timeout: 5_000 });
  return probe.status === 0 && nsenter.status === 0;
}

/** The daemon's own path to a tool, so a check's PATH cannot change which one runs. */
function tool(name: 'unshare' | 'nsenter'): string {
  const found = findProgram(name);
  return typeof found === 'string' ? found : name;
}

/** Starts a new PID namespace for one run. */
export function openPidNamespace(): PidNamespace {
  const holder = spawn(
    tool('unshare'),
    ['--pid', '--fork', '--kill-child', 'sleep', '2147483647'],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  let init: number | null = null;
  let exited = false;
  const gone = new Promise<void>((resolve) => {
    holder.once('exit', () => {
      exited = true;
      resolve();
    });
    holder.once('error', () => {
      exited = true;
      resolve();
    });
  });
  return {
    ready: findInit(holder, () => exited).then((pid) => (init = pid)),
    kill() {
      if (exited || holder.pid === undefined) return;
      const pid = init ?? firstChild(holder.pid);
      // The init, not the holder: the holder must live to reap it (see above).
      if (pid === null)
        holder.kill('SIGKILL'); // no init yet: nothing runs in it
      else if (parentOf(pid) === holder.pid) killQuietly(pid);
    },
    gone,
  };
}

/** The argv that runs `argv` in the namespace of `init`, as uid/gid when given. */
export function enterArgv(
  init: number,
  argv: readonly string[],
  ids: { readonly uid?: number; readonly gid?: number },
): string[] {
  const credentials = [
    ...(ids.uid === undefined ? [] : ['-S', String(ids.uid)]),
    ...(ids.gid === undefined ? [] : ['-G', String(ids.gid)]),
  ];
  return [tool('nsenter'), `--pid=/proc/${init}/ns/pid`, ...credentials, '--', ...argv];
}

/** Polls the holder's children until the init appears (a millisecond or two). */
function findInit(holder: ChildProcess, exited: () => boolean): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const look = (): void => {
      const pid = holder.pid === undefined ? null : firstChild(holder.pid);
      if (pid !== null) return resolve(pid);
      if (exited() || performance.now() - started > startLimitMs) {
        holder.kill('SIGKILL');
        return reject(new Error('unshare --pid did not start a namespace'));
      }
      setTimeout(look, 1);
    };
    look();
  });
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile: its holder reaps it and exits
  }
}

function firstChild(pid: number): number | null {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0];
    return first ? Number(first) : null;
  } catch {
    return null;
  }
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}
