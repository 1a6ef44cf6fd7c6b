// What /proc says about a process: its memory, and the CPU it and its reaped children used.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Resident and peak resident memory in KiB (VmRSS, VmHWM). */
export function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number =>
    Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

const ticksPerSecond = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU milliseconds of the process, of the children it has waited for (utime, stime, cutime
 * and cstime of /proc/<pid>/stat) and, the same way, of its children still alive (the spawn
 * helper, and the checks it reaped): the cost of a server and of the checks it ran.
 */
export function cpuMs(pid: number): number {
  return ownCpuMs(pid) + liveChildren(pid).reduce((sum, child) => sum + cpuMs(child), 0);
}

function liveChildren(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
        .split(' ')
        .filter((word) => word !== '')
        .map(Number),
    );
  } catch {
    return [];
  }
}

/** CPU milliseconds of the process and of the children it has waited for. */
export function ownCpuMs(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0; // gone meanwhile
  }
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime is field 14 of stat(5): index 11 once pid, comm and state are dropped.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? NaN), 0);
  return (ticks * 1000) / ticksPerSecond;
}
