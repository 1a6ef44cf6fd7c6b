/**
 * What a test can learn about processes from /proc (Linux): who is alive, who is in a process
 * group, who descends from whom, who carries a marker, how many fds and how much memory.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import { binPath } from './paths.js';

/** The fields of `/proc/<pid>/stat` these tests look at. */
export interface ProcStat {
  readonly pid: number;
  /** R, S, D, Z, T, ... */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
}

/** One process's stat, or null when it is gone. */
export function procStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0] ?? '?', ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Every process on the host (those that vanish while scanning are left out). */
export function allProcesses(): ProcStat[] {
  return pids()
    .map(procStat)
    .filter((stat): stat is ProcStat => stat !== null);
}

/** PIDs of the live (not zombie) processes of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return allProcesses()
    .filter((stat) => stat.pgrp === pgid && stat.state !== 'Z')
    .map((stat) => stat.pid);
}

/** Every descendant of `root` (children, grandchildren, ...), by the ppid chain. */
export function descendantsOf(root: number): ProcStat[] {
  const all = allProcesses();
  const found: ProcStat[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const children = all.filter((stat) => frontier.includes(stat.ppid));
    found.push(...children);
    frontier = children.map((stat) => stat.pid);
  }
  return found;
}

/** True for a daemon's spawn helper (README, "Spawn helper"): a long-lived child, not a run. */
export function isSpawnHelper(pid: number): boolean {
  try {
    return /healthcheckd[-/]spawn-helper/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

/** What a daemon's runs left: its descendants but its spawn helper (whose children count). */
export function runProcessesOf(daemon: number): ProcStat[] {
  return descendantsOf(daemon).filter((stat) => !isSpawnHelper(stat.pid));
}

/** Unreaped children of a daemon and of its spawn helper. */
export function runZombiesOf(daemon: number): ProcStat[] {
  const helpers = descendantsOf(daemon).filter((stat) => isSpawnHelper(stat.pid));
  return [daemon, ...helpers.map((stat) => stat.pid)].flatMap(zombieChildren);
}

/** Children of `pid` that have exited and were never reaped. */
export function zombieChildren(pid: number): ProcStat[] {
  return allProcesses().filter((stat) => stat.ppid === pid && stat.state === 'Z');
}

/** True when a process with this PID exists (a zombie included). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** How many file descriptors `pid` holds open. */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Resident memory of `pid` in KiB. */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
}

/** Live processes, other than this one, whose command line contains `marker` (as `pgrep -f`). */
export function processesWithCommandLine(marker: string): number[] {
  return pids().filter((pid) => {
    if (pid === process.pid) return false;
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
      return commandLine.includes(marker) && procStat(pid)?.state !== 'Z';
    } catch {
      return false;
    }
  });
}

/**
 * Live processes whose environment holds `entry` (e.g. `HEALTHCHECKD_CHECK=name`): finds a
 * check's processes wherever they were reparented to, which a ppid chain cannot.
 */
export function processesWithEnv(entry: string): number[] {
  return pids().filter((pid) => {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      return environ.includes(entry) && procStat(pid)?.state !== 'Z';
    } catch {
      return false;
    }
  });
}

/** The soft limit on open files of this process (a daemon started from here inherits it). */
export function openFileLimit(): number {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
  return soft === undefined || soft === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(soft);
}

/** A unique tag for names and markers, so that process scans never see another test's processes. */
export function uniqueTag(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}`;
}

/** SIGKILLs every listed process that is still there (cleanup after a failed test). */
export function killAll(pidList: readonly number[]): void {
  for (const pid of pidList) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

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
  const [file, ...rest] = [...prefix, process.execPath, binPath, ...args];
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
