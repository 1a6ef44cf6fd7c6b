import { readlinkSync } from 'node:fs';
import { openCgroupHome, type CgroupHome } from './cgroup-runs.js';
import { canUnsharePid } from './pid-namespace.js';
import { bornIn, type SpawnHelper } from './spawn-helper.js';

/**
 * How a run's processes are held, so none outlives the run:
 * - `cgroup`: a cgroup v2 per run, killed whole with cgroup.kill (root, or a delegated cgroup);
 * - `pidns`: a PID namespace per run, whose init takes every process with it (root; used when
 *   the daemon is PID 1, as it also keeps orphans from being reparented to the daemon);
 * - `group`: the process group only; a descendant that leaves it (setsid) is not caught.
 */
export type ContainMode = 'cgroup' | 'pidns' | 'group';

/** What this host and process allow, as read at start. */
export interface ContainmentFacts {
  /** PID 1 of its PID namespace: orphans are reparented to the daemon, which cannot reap. */
  readonly isPid1: boolean;
  readonly cgroupWritable: boolean;
  readonly canUnsharePid: boolean;
}

/** The mechanism chosen, and the one line to log at start when something is not guaranteed. */
export interface ContainmentChoice {
  readonly mode: ContainMode;
  readonly notice: string | null;
}

/** The one line a PID 1 that cannot use PID namespaces says at start. */
export const pid1Notice =
  'PID 1 without PID namespaces: orphaned check processes would stay zombies; run ' +
  'healthcheckd under an init (tini, docker run --init, or shareProcessNamespace: true in ' +
  'Kubernetes)';

/** The line said when only the process group holds a run's processes. */
export const groupNotice =
  'checks are contained by their process group only: a descendant that leaves it (setsid) ' +
  'can outlive its run; run as root or with a writable cgroup v2 (systemd Delegate=yes) ' +
  'for full containment';

/** Picks the mechanism: a PID 1 needs a namespace per run to stay free of zombies. */
export function chooseContainment(facts: ContainmentFacts): ContainmentChoice {
  if (facts.isPid1) {
    if (facts.canUnsharePid) return { mode: 'pidns', notice: null };
    return { mode: facts.cgroupWritable ? 'cgroup' : 'group', notice: pid1Notice };
  }
  if (facts.cgroupWritable) return { mode: 'cgroup', notice: null };
  return { mode: 'group', notice: groupNotice };
}

/** The containment of this process: its choice, and the cgroup home when it uses cgroups. */
export interface Containment extends ContainmentChoice {
  readonly cgroups: CgroupHome | null;
}

let probed: Containment | null = null;
let home: CgroupHome | null | undefined;

/** The cgroup home of this process, made on first use (null when cgroup v2 is not writable). */
function cgroupHome(): CgroupHome | null {
  if (home === undefined) home = openCgroupHome();
  return home;
}

let pid1: { readonly isPid1: boolean; readonly unshare: boolean } | undefined;

/** Whether this process is PID 1 of its namespace, and can make PID namespaces (read once). */
function pid1Facts(): { readonly isPid1: boolean; readonly unshare: boolean } {
  if (pid1 === undefined) {
    const isPid1 = process.pid === 1 && procIsOurs();
    pid1 = { isPid1, unshare: isPid1 && canUnsharePid() };
  }
  return pid1;
}

/** Whether runs get a PID namespace each (a PID 1 that can make them); no cgroup is touched. */
export function usesPidNamespaces(): boolean {
  const { isPid1, unshare } = pid1Facts();
  return isPid1 && unshare;
}

/**
 * Reads what this host allows and chooses, once per process: the cgroup home is a resource
 * of the process (removed at its exit), so every tracker of the process shares it.
 */
export function probeContainment(): Containment {
  if (probed) return probed;
  const { isPid1, unshare } = pid1Facts();
  // A PID 1 that can make namespaces uses them: no cgroup home to make (or leave behind).
  const cgroups = isPid1 && unshare ? null : cgroupHome();
  const choice = chooseContainment({
    isPid1,
    cgroupWritable: cgroups !== null,
    canUnsharePid: unshare,
  });
  probed = { ...choice, cgroups: choice.mode === 'cgroup' ? cgroups : null };
  return probed;
}

let throughHelper: Promise<Containment | null> | null = null;

/**
 * probeContainment for a process whose runs start through `helper`: a cgroup home is proved
 * by a birth in one of its cgroups through the helper, as its runs are born, instead of by
 * moving this process in and out (whose first moves wait for an RCU grace period: 10 to
 * 40 ms of start-up). A helper that does not answer leaves the proof to the moves. Null
 * when the helper answered that it cannot start runs in the cgroups it can make here: the
 * caller then starts runs without it (probeContainment).
 */
export function probeContainmentThrough(helper: SpawnHelper): Promise<Containment | null> {
  throughHelper ??= (async () => {
    if (home === undefined && !usesPidNamespaces()) {
      const opened = openCgroupHome(undefined, false);
      if (opened !== null) {
        const run = opened.newRun();
        const born = await bornIn(helper, run.procs);
        run.born();
        await run.whenEmpty();
        run.release();
        if (born !== true) opened.close();
        if (born === false) return null;
        home = born === true ? opened : undefined;
      } else home = null;
    }
    return probeContainment();
  })();
  return throughHelper;
}

/** A containment forced to `mode` (tests, and a future setting); null when not possible here. */
export function containmentFor(mode: ContainMode): Containment | null {
  if (mode === 'group') return { mode, notice: groupNotice, cgroups: null };
  if (mode === 'pidns') {
    return procIsOurs() && canUnsharePid() ? { mode, notice: null, cgroups: null } : null;
  }
  const cgroups = cgroupHome();
  return cgroups ? { mode, notice: null, cgroups } : null;
}

/** Whether /proc shows this process's PID namespace (so /proc/<pid> is our <pid>). */
export function procIsOurs(): boolean {
  try {
    return readlinkSync('/proc/self') === String(process.pid);
  } catch {
    return false;
  }
}
