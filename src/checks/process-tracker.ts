import { signalGroup } from './process-group.js';

/** Knows every check process group still alive, so a stopping daemon can kill them all. */
export interface ProcessTracker {
  readonly add: (pgid: number) => void;
  /** The group is being terminated; `killNow` skips the SIGTERM grace. */
  readonly forget: (pgid: number, killNow: () => void) => void;
  readonly remove: (pgid: number) => void;
  /** SIGKILLs every group still tracked. */
  readonly killAll: () => void;
  readonly size: () => number;
}

/** Creates an empty tracker. */
export function createProcessTracker(): ProcessTracker {
  const groups = new Map<number, (() => void) | null>();
  return {
    add: (pgid) => void groups.set(pgid, null),
    forget: (pgid, killNow) => void (groups.has(pgid) && groups.set(pgid, killNow)),
    remove: (pgid) => void groups.delete(pgid),
    killAll() {
      for (const [pgid, killNow] of groups) {
        if (killNow) killNow();
        else signalGroup(pgid, 'SIGKILL');
      }
      groups.clear();
    },
    size: () => groups.size,
  };
}
