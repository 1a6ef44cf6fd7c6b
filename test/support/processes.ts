import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

/** The built CLI (tests run from dist/test/support). */
export const cliPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'bin.js');

/**
 * For a test that needs root (PID namespaces, cgroups, another user): true when it may go on.
 * Not root: skipped with a reason, except under CI (which runs as root), where it fails.
 */
export function requireRoot(t: TestContext, why: string): boolean {
  if (process.getuid?.() === 0) return true;
  if (process.env.CI === 'true') throw new Error(`needs root (${why}), and CI runs as root`);
  t.skip(`needs root: ${why}`);
  return false;
}

/** Live (not zombie) processes whose environment holds `entry`, wherever they were reparented. */
export function livingWithEnv(entry: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        if (/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'latin1'))) return false;
        return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
      } catch {
        return false;
      }
    });
}

/** Children of `pid` that exited and were never reaped. */
export function zombiesOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return state === 'Z' && Number(ppid) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** SIGKILLs each listed process still there (cleanup after a failed assertion). */
export function killEach(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** `sh -c script` as the leader of a new process group, and a promise of its exit. */
export function spawnLeader(script: string): { child: ChildProcess; exited: Promise<unknown[]> } {
  const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
  if (child.pid === undefined) throw new Error('cannot spawn /bin/sh');
  return { child, exited: once(child, 'exit') };
}

/** A started CLI process: its stderr so far, and its exit. */
export interface Started {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  readonly exited: Promise<unknown[]>;
  /** Resolves with the match once stderr matches `pattern`; rejects after `ms` or at exit. */
  readonly waitFor: (pattern: RegExp, ms?: number) => Promise<RegExpMatchArray>;
}

/** Starts `prefix... node cli args...` (prefix: e.g. unshare), stdin closed. */
export function startNode(args: readonly string[], prefix: readonly string[] = []): Started {
  const [file, ...rest] = [...prefix, process.execPath, cliPath, ...args];
  const child = spawn(file!, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = once(child, 'exit');
  const waitFor = (pattern: RegExp, ms = 15_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const look = (): void => {
        const match = pattern.exec(text);
        if (match) return resolve(match);
        if (child.exitCode !== null || child.signalCode !== null || Date.now() - started > ms)
          return reject(new Error(`no ${pattern} in stderr:\n${text}`));
        setTimeout(look, 20);
      };
      look();
    });
  return { child, stderr: () => text, exited, waitFor };
}
