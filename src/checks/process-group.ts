import { existsSync } from 'node:fs';

/**
 * Sends a signal to a whole process group; false when the group no longer exists or may not
 * be signalled (EPERM: a setuid program such as sudo in a check of a non-root daemon). Never
 * throws: a kill that cannot be sent must not take the daemon down with it. Callers outside
 * this folder go through a run's fence (run-fence.ts), which knows whether the group is ours.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Grace between SIGTERM and SIGKILL (README, "Command checks"). */
export const killGraceMs = 1000;

/**
 * Whether a group whose leader (our child) has been reaped may still be signalled as ours.
 * The kernel does not hand out a PID while any process still has it as its process group,
 * so while members of our group live, no process can be numbered `pgid`: a process of that
 * number means the group is gone and the number reused. (Its absence does not prove members
 * are left, but a signal to an empty group reaches no one.)
 */
export function reapedGroupIsOurs(pgid: number, procIsOurs: boolean): boolean {
  // Without our /proc nothing can be told: the group is taken as ours, as before.
  if (!procIsOurs) return true;
  return !existsSync(`/proc/${pgid}`);
}
