import { openCage, type Launch, type RunIds } from './cage.js';
import type { Containment } from './containment.js';
import { killGraceMs, reapedGroupIsOurs, signalGroup } from './process-group.js';

/**
 * Everything that signals one run's processes goes through its fence, which signals only
 * a process group this daemon started and has not yet seen gone: once the run's last
 * SIGKILL is sent, or its group is gone, it signals nothing more, and its pending SIGKILL
 * timer is cancelled (PIDs are reused within seconds).
 */
export interface RunFence {
  /** How to spawn `argv` inside the run's containment; rejects when it cannot be made. */
  readonly launch: (argv: readonly string[], ids: RunIds) => Promise<Launch>;
  /**
   * The leader was spawned with this PID, which is its process group's; `send` signals the
   * group through whoever started it (the spawn helper). A run stopped before its PID was
   * known is killed now; one whose timeout came first is terminated now.
   */
  readonly started: (
    pgid: number,
    send?: (pgid: number, signal: NodeJS.Signals) => boolean,
  ) => void;
  /** The leader exited and was reaped (or was never started). */
  readonly leaderGone: () => void;
  /** SIGTERM to the process group now; SIGKILL to all of the run `graceMs` later. */
  readonly terminate: () => void;
  /** SIGKILL to all of the run now; the fence signals nothing after it. Idempotent. */
  readonly kill: () => void;
  /** Resolves once the leader is reaped, the last SIGKILL was sent and the cage is empty. */
  readonly gone: Promise<void>;
  /** Calls `listener` when the run is gone: synchronously, when nothing was left to wait for. */
  readonly onGone: (listener: () => void) => void;
  /** The process group, when signals may still go to it; null otherwise. */
  readonly group: () => number | null;
  /** Whether the last SIGKILL was sent (a run not yet spawned must then not start). */
  readonly killed: () => boolean;
}

export interface FenceOptions {
  readonly graceMs?: number;
  /** Whether /proc shows our PIDs, so a reused group number can be recognised. */
  readonly procIsOurs: boolean;
  /** Sends a signal to a process group (tests record it). */
  readonly send?: (pgid: number, signal: NodeJS.Signals) => boolean;
}

/** Creates the fence of one run. */
export function createRunFence(containment: Containment, options: FenceOptions): RunFence {
  const cage = openCage(containment);
  let send = options.send ?? signalGroup;
  let terminateWanted = false;
  let pgid: number | null = null;
  let leaderReaped = false;
  let killed = false;
  let escalation: NodeJS.Timeout | undefined;
  let isGone = false;
  let markGone!: () => void;
  const gone = new Promise<void>((resolve) => (markGone = resolve));
  const listeners: (() => void)[] = [];
  const finish = (): void => {
    if (isGone) return;
    isGone = true;
    for (const listener of listeners.splice(0)) listener();
    markGone();
  };
  // Gone at once when nothing is left (the usual end of a run), so that whoever waits (a
  // max_concurrent slot) is told before the run answers; else once the cage empties.
  const maybeFinish = (): void => {
    if (!killed || !leaderReaped) return;
    if (cage.emptyNow()) finish();
    else void cage.emptied().then(finish);
  };
  const group = (): number | null => {
    if (pgid === null || killed) return null;
    if (leaderReaped && !reapedGroupIsOurs(pgid, options.procIsOurs)) return null;
    return pgid;
  };
  const kill = (): void => {
    if (killed) return;
    const target = group();
    killed = true;
    clearTimeout(escalation);
    // The group in every mode: in a PID namespace its leader, nsenter, is outside it.
    if (target !== null) send(target, 'SIGKILL');
    cage.kill();
    maybeFinish();
  };
  const terminate = (): void => {
    const target = group();
    if (target === null) {
      terminateWanted = pgid === null && !killed;
      return;
    }
    if (escalation !== undefined) return;
    send(target, 'SIGTERM');
    escalation = setTimeout(kill, options.graceMs ?? killGraceMs);
  };
  return {
    launch: cage.launch,
    started: (pid, leaderSend) => {
      pgid = pid;
      if (leaderSend && !options.send) send = leaderSend;
      if (killed) {
        // Stopped before its PID was known: its leader is not reaped yet, so the group is ours.
        send(pid, 'SIGKILL');
        cage.kill();
      } else if (terminateWanted) terminate();
    },
    leaderGone: () => {
      leaderReaped = true;
      maybeFinish();
    },
    terminate,
    kill,
    gone,
    onGone: (listener) => (isGone ? listener() : void listeners.push(listener)),
    group,
    killed: () => killed,
  };
}
