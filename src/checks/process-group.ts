/**
 * Sends a signal to a whole process group; false when the group no longer exists or may not
 * be signalled (EPERM: a setuid program such as sudo in a check of a non-root daemon). Never
 * throws: a kill that cannot be sent must not take the daemon down with it.
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
 * SIGTERM to the group, SIGKILL `graceMs` later if anyone is left. Returns a function that
 * skips the wait and sends SIGKILL at once (for shutdown).
 */
export function terminateGroup(pgid: number, graceMs = killGraceMs): () => void {
  if (!signalGroup(pgid, 'SIGTERM')) return () => undefined;
  const timer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), graceMs);
  return () => {
    clearTimeout(timer);
    signalGroup(pgid, 'SIGKILL');
  };
}
