import type { CgroupRun } from './cgroup-runs.js';
import type { Containment } from './containment.js';
import { enterArgv, openPidNamespace, type PidNamespace } from './pid-namespace.js';

/** Who a check runs as (set when the daemon runs as root with `user`). */
export interface RunIds {
  readonly uid?: number;
  readonly gid?: number;
}

/** How to spawn a run's leader: the program, its arguments, and the ids spawn switches to. */
export interface Launch {
  readonly file: string;
  readonly args: readonly string[];
  readonly ids: RunIds;
  /** Runs the (synchronous) spawn so that the child starts inside the cage. */
  readonly around: <T>(spawnIt: () => T) => T;
  /** Whether the spawn helper may start it (it enters `cgroupProcs` itself before exec). */
  readonly viaHelper: boolean;
  /** The cgroup.procs file of the run's cgroup, or null. */
  readonly cgroupProcs: string | null;
  /** Says the leader was started (or failed to) without `around`: the cage may be populated. */
  readonly born: () => void;
}

const direct = <T>(spawnIt: () => T): T => spawnIt();
const noCgroup = { viaHelper: true, cgroupProcs: null, born: () => undefined } as const;

/**
 * What holds one run's processes beyond its process group: a cgroup, a PID namespace, or
 * nothing (the process group alone).
 */
export interface Cage {
  /** How to start `argv` inside; rejects when the cage cannot be made. */
  readonly launch: (argv: readonly string[], ids: RunIds) => Promise<Launch>;
  /** SIGKILLs every process inside. Idempotent; signals nothing once the cage is empty. */
  readonly kill: () => void;
  /** Resolves once nothing is left inside and what the cage held is released. */
  readonly emptied: () => Promise<void>;
  /** Whether nothing is left inside now (what it held is then released); no waiting. */
  readonly emptyNow: () => boolean;
}

/** Opens the cage of one run, as `containment` says. */
export function openCage(containment: Containment): Cage {
  if (containment.mode === 'cgroup' && containment.cgroups) return cgroupCage(containment);
  if (containment.mode === 'pidns') return pidnsCage();
  return groupCage();
}

function groupCage(): Cage {
  return {
    launch: async ([file, ...args], ids) => ({
      file: file ?? '',
      args,
      ids,
      around: direct,
      ...noCgroup,
    }),
    kill: () => undefined,
    emptied: async () => undefined,
    emptyNow: () => true,
  };
}

/** The leader is spawned with the daemon inside the run's cgroup, so it starts there. */
function cgroupCage(containment: Containment): Cage {
  let run: CgroupRun | null = null;
  let emptied: Promise<void> | null = null;
  return {
    async launch([file, ...args], ids) {
      const current = containment.cgroups!.newRun();
      run = current;
      return {
        file: file ?? '',
        args,
        ids,
        around: current.around,
        viaHelper: true,
        cgroupProcs: current.procs,
        born: current.born,
      };
    },
    kill: () => {
      if (run?.populated()) run.kill();
    },
    emptied: () =>
      (emptied ??= (async () => {
        if (!run) return;
        await run.whenEmpty();
        run.release();
      })()),
    emptyNow: () => run === null || run.release(),
  };
}

function pidnsCage(): Cage {
  let namespace: PidNamespace | null = null;
  return {
    launch: async (argv, ids) => {
      namespace = openPidNamespace();
      const [file, ...args] = enterArgv(await namespace.ready, argv, ids);
      // nsenter needs the PID of the namespace's holder: started by Node's spawn, as tested.
      return {
        file: file ?? 'nsenter',
        args,
        ids: {},
        around: direct,
        ...noCgroup,
        viaHelper: false,
      };
    },
    kill: () => namespace?.kill(),
    emptied: async () => namespace?.gone,
    // The holder's exit, which says the namespace is empty, comes in a later turn.
    emptyNow: () => namespace === null,
  };
}
