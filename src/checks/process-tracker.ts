import { pid1Notice, probeContainment, procIsOurs, type Containment } from './containment.js';
import { createRunFence, type RunFence } from './run-fence.js';
import type { SpawnHelper } from './spawn-helper.js';

/** Knows every run whose processes may still be alive, so a stopping daemon can kill them. */
export interface ProcessTracker {
  /** How runs are contained here (README, "What is guaranteed about a check's processes"). */
  readonly containment: Containment;
  /** The spawn helper that starts runs when it is ready; null: Node's spawn always. */
  readonly helper: SpawnHelper | null;
  /** A fence for a new run, tracked until the run's processes are gone. */
  readonly open: (graceMs?: number) => RunFence;
  /** SIGKILLs every run still tracked, and forgets them. */
  readonly killAll: () => void;
  readonly size: () => number;
}

export interface TrackerOptions {
  /** Default: chosen from what this host allows (containment.ts). */
  readonly containment?: Containment;
  /** Where the start-up line goes when the daemon is PID 1 and cannot keep free of zombies. */
  readonly notice?: (line: string) => void;
  /** Sends a signal to a process group (tests record it). */
  readonly send?: (pgid: number, signal: NodeJS.Signals) => boolean;
  /** Default none. */
  readonly helper?: SpawnHelper | null;
}

/** Creates an empty tracker; says the PID 1 line once, when it applies. */
export function createProcessTracker(options: TrackerOptions = {}): ProcessTracker {
  const containment = options.containment ?? probeContainment();
  if (containment.notice === pid1Notice) (options.notice ?? warnOnce)(pid1Notice);
  const fences = new Set<RunFence>();
  const ours = procIsOurs();
  return {
    containment,
    helper: options.helper ?? null,
    open(graceMs) {
      const fence = createRunFence(containment, {
        procIsOurs: ours,
        ...(graceMs === undefined ? {} : { graceMs }),
        ...(options.send ? { send: options.send } : {}),
      });
      fences.add(fence);
      fence.onGone(() => fences.delete(fence));
      return fence;
    },
    killAll() {
      for (const fence of fences) fence.kill();
      fences.clear();
    },
    size: () => fences.size,
  };
}

let warned = false;

/** One line on stderr, once per process, until the daemon passes its logger as `notice`. */
function warnOnce(line: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(`healthcheckd: warning: ${line}\n`);
}
