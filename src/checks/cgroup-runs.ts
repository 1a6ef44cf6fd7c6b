import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { uniqueSuffix } from '../util/unique-suffix.js';

/** One run's cgroup: every process of the run is in it, whatever session or group it made. */
export interface CgroupRun {
  readonly dir: string;
  /**
   * Runs `spawnIt` (a synchronous spawn) with this process moved into the run's cgroup, so
   * the child is born there, then moves it back to the cgroup it was in when the home was
   * made. A wrapper that moves itself in would have to exec the command, and `sh` drops
   * environment entries it cannot name (exported bash functions); moving the daemon costs
   * two writes, about 0.1 ms each (the first moves of a process wait for an RCU grace period,
   * 10 to 40 ms). Throws when this process cannot move into its run cgroups and back.
   */
  readonly around: <T>(spawnIt: () => T) => T;
  /** The cgroup.procs file, for a child that enters the cgroup itself (the spawn helper's). */
  readonly procs: string;
  /** Says the run's leader was started into the cgroup without `around` (or failed to be). */
  readonly born: () => void;
  /** Whether any process is still in the cgroup. */
  readonly populated: () => boolean;
  /** SIGKILLs every process in the cgroup (cgroup.kill, Linux 5.14). */
  readonly kill: () => void;
  /** Resolves once the cgroup is empty (never while a process is stuck in the kernel). */
  readonly whenEmpty: () => Promise<void>;
  /**
   * Hands the cgroup back once it is empty: it is kept for a later run (making and removing a
   * cgroup per run costs more than the run's other bookkeeping) or removed; false, and kept
   * by this run, while it is still populated.
   */
  readonly release: () => boolean;
}

/** This process's cgroup directory for runs, made once and removed at exit. */
export interface CgroupHome {
  readonly dir: string;
  /** A cgroup for a new run: an empty one handed back by an earlier run, or a new one. */
  readonly newRun: () => CgroupRun;
  /** SIGKILLs what is left in every run cgroup and removes them; waits at most `limitMs`. */
  readonly killAllNow: (limitMs?: number) => void;
  /**
   * Whether this process can move into a run cgroup and back, as each run started with
   * Node's spawn does (`around`); tried on the first call, with a probe cgroup, and after a
   * failure tried again 10 s later at the earliest.
   */
  readonly canMove: () => boolean;
  /** Removes the home (empty run cgroups and its own directory); for a home not used. */
  readonly close: () => void;
}

/** The cgroup v2 directory this process is in, under `mount`; null when it cannot be told. */
export function ownCgroupDir(mount: string | null = cgroup2Mount()): string | null {
  if (mount === null) return null;
  try {
    const line = readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('0::'));
    return line === undefined ? null : join(mount, line.slice(3));
  } catch {
    return null;
  }
}

/** Where cgroup2 is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts). */
export function cgroup2Mount(): string | null {
  try {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const [before, after] = line.split(' - ');
      if (after?.split(' ')[0] !== 'cgroup2') continue;
      // Only a mount of the namespace's cgroup root gives paths that /proc/self/cgroup names.
      const fields = before?.split(' ') ?? [];
      if (fields[3] === '/' && fields[4] !== undefined) return fields[4];
    }
  } catch {
    // no /proc: no cgroups either
  }
  return null;
}

/**
 * Makes this process's home for run cgroups beside it, or null when cgroup v2 is not
 * writable here, has no cgroup.kill, or (with `checkMoves`) will not take this process and
 * give it back. Without `checkMoves` the moves are tried when a run first needs them
 * (`canMove`): a caller whose runs are born in their cgroups (the spawn helper's) checks
 * that instead. One home per process: it is removed on exit.
 */
export function openCgroupHome(
  mount: string | null = cgroup2Mount(),
  checkMoves = true,
): CgroupHome | null {
  const parent = ownCgroupDir(mount);
  if (mount === null || parent === null) return null;
  removeStaleHomes(parent);
  const dir = join(parent, `healthcheckd.${process.pid}.${uniqueSuffix()}`);
  try {
    mkdirSync(dir);
  } catch {
    return null;
  }
  // The root cgroup has no cgroup.kill; a child of it has one from Linux 5.14 on.
  if (!existsSync(join(dir, 'cgroup.kill'))) {
    tryRmdir(dir);
    return null;
  }
  // A success is kept; a failure is tried again after a while (it may have been a moment
  // without a file descriptor or memory), and says no until then.
  let movesWork = false;
  let triedAt = -Infinity;
  const canMove = (): boolean => {
    if (movesWork || performance.now() - triedAt < moveRetryMs) return movesWork;
    triedAt = performance.now();
    movesWork = roundTrip(dir, mount, parent);
    return movesWork;
  };
  if (checkMoves && !canMove()) {
    tryRmdir(dir);
    return null;
  }
  let count = 0;
  const runs = new Set<CgroupRun>();
  /** Empty run cgroups handed back, for the next runs (a few: more are removed). */
  const spare: string[] = [];
  const handBack = (run: CgroupRun, reusable: boolean): void => {
    runs.delete(run);
    if (reusable && spare.length < spareMax) spare.push(run.dir);
    else tryRmdir(run.dir);
  };
  const home: CgroupHome = {
    dir,
    newRun() {
      const reused = spare.pop();
      if (reused === undefined) count += 1;
      const place = {
        back: (reusable: boolean) => handBack(run, reusable),
        home: parent,
        canMove,
      };
      const run = createRun(reused ?? join(dir, `run.${count}`), reused === undefined, place);
      runs.add(run);
      return run;
    },
    killAllNow(limitMs = 500) {
      for (const run of runs) if (run.populated()) run.kill();
      const deadline = performance.now() + limitMs;
      for (const run of runs) {
        while (run.populated() && performance.now() < deadline) pause(2);
        if (!run.populated()) tryRmdir(run.dir);
      }
      for (const empty of spare.splice(0)) tryRmdir(empty);
    },
    canMove,
    close: () => {
      home.killAllNow();
      tryRmdir(dir);
    },
  };
  process.once('exit', home.close);
  return home;
}

/**
 * Removes the empty homes of processes that died without their exit handler (SIGKILL, or a
 * signal they did not handle). A home with a process still in it is left alone.
 */
function removeStaleHomes(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => /^healthcheckd\.\d+\.[0-9a-f]+$/.test(name));
    if (names.length === 0 || readlinkSync('/proc/self') !== String(process.pid)) return;
  } catch {
    return;
  }
  for (const name of names) {
    if (existsSync(`/proc/${name.split('.')[1]}`)) continue;
    const home = join(parent, name);
    // Another daemon starting at the same moment may be removing it: then it is done.
    let entries: string[];
    try {
      entries = readdirSync(home);
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.startsWith('run.') || entry === 'probe') tryRmdir(join(home, entry));
    }
    tryRmdir(home);
  }
}

/** Whether this process can enter a run cgroup and leave it again (as each spawn does). */
function roundTrip(home: string, mount: string, parent: string): boolean {
  const probe = join(home, 'probe');
  try {
    const place = { back: () => undefined, home: parent, canMove: () => true };
    createRun(probe, true, place).around(() => undefined);
    return ownCgroupDir(mount) === parent;
  } catch {
    return false;
  } finally {
    tryRmdir(probe);
  }
}

/** How long a failed round trip answers no before it is tried again. */
const moveRetryMs = 10_000;

/** How many empty run cgroups a home keeps for later runs. */
const spareMax = 4;

/** Where a run's cgroup goes back to, and where the daemon lives. */
interface RunPlace {
  /** Called once the run's cgroup is empty and handed back; reusable unless it was killed. */
  readonly back: (reusable: boolean) => void;
  /** The daemon's own cgroup, which it returns to after each spawn. */
  readonly home: string;
  /** Whether the daemon can move into a run cgroup and back (tried once). */
  readonly canMove: () => boolean;
}

function createRun(dir: string, make: boolean, place: RunPlace): CgroupRun {
  if (make) mkdirSync(dir);
  const events = join(dir, 'cgroup.events');
  // Once empty after its spawn, a run's cgroup stays empty: only the daemon moves processes
  // in, and it does so only for this run's one spawn.
  let spawned = false;
  let emptied = false;
  // Set while the daemon itself is in the run's cgroup (a move back that failed).
  let daemonInside = false;
  // Handed back: the directory may be another run's from now on.
  let released = false;
  // cgroup.kill was written: the cgroup is removed, never reused. A child later cloned into
  // it (CLONE_INTO_CGROUP, as the spawn helper starts runs) can be SIGKILLed at birth by
  // some kernels, which compare the kill count of the parent's cgroup with this one's.
  let killedOnce = false;
  const populated = (): boolean => {
    if (emptied || released) return false;
    let full: boolean;
    try {
      full = /^populated 1$/m.test(readFileSync(events, 'utf8'));
    } catch {
      full = false;
    }
    if (!full && spawned && !daemonInside) emptied = true;
    return full;
  };
  return {
    dir,
    around: (spawnIt) => {
      if (!place.canMove()) {
        throw Object.assign(
          new Error(
            `cannot move into run cgroup ${dir} and back (cgroup.procs refused it); ` +
              'this host starts checks in their cgroups only through the spawn helper',
          ),
          { code: 'EACCES' },
        );
      }
      writeFileSync(join(dir, 'cgroup.procs'), '0');
      daemonInside = true;
      try {
        return spawnIt();
      } finally {
        spawned = true;
        writeFileSync(join(place.home, 'cgroup.procs'), '0');
        daemonInside = false;
      }
    },
    procs: join(dir, 'cgroup.procs'),
    born: () => void (spawned = true),
    populated,
    kill: () => {
      // Never with the daemon inside (it would kill itself), nor in a later run's cgroup.
      if (daemonInside || emptied || released) return;
      killedOnce = true;
      try {
        writeFileSync(join(dir, 'cgroup.kill'), '1');
      } catch {
        // already removed: nothing left to kill
      }
    },
    whenEmpty: () => waitEmpty(events, populated),
    release: () => {
      if (released) return true;
      if (daemonInside || populated()) return false;
      released = true;
      place.back(!killedOnce);
      return true;
    },
  };
}

/**
 * Waits for `populated 0` in cgroup.events: inotify says when it changes, a poll backs it
 * (every 50 ms, every second after 5 s: a process stuck in the kernel keeps its run, and
 * with it its max_concurrent slot, as the README says).
 */
function waitEmpty(events: string, populated: () => boolean): Promise<void> {
  if (!populated()) return Promise.resolve();
  return new Promise((resolve) => {
    let watcher: ReturnType<typeof watch> | null = null;
    let poll: NodeJS.Timeout | undefined;
    const started = performance.now();
    const check = (): void => {
      clearTimeout(poll);
      if (populated()) {
        poll = setTimeout(check, performance.now() - started < 5_000 ? 50 : 1_000);
        return;
      }
      watcher?.close();
      resolve();
    };
    try {
      watcher = watch(events, check);
      watcher.on('error', () => undefined);
    } catch {
      // no inotify: the poll alone
    }
    check();
  });
}

function tryRmdir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks for `ms` (only at exit, where there is no event loop to wait on). */
function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
