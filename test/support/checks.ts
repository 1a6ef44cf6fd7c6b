import type { ProcessTracker } from '../../src/checks/process-tracker.js';
/** Builders of the values checks deal in: definitions, run results, reports. */
import { defaultCheck } from '../../src/config/resolve-checks.js';
import { asEpochMs, asMonotonicMs } from '../../src/util/clock.js';
import type { CheckDefinition, CheckReport, RunResult, Status } from '../../src/types.js';

/** A check definition with the documented defaults; `overrides` wins. */
export function definition(overrides: Partial<CheckDefinition> = {}): CheckDefinition {
  const origin = { file: '/etc/healthcheckd.config', line: 1 };
  return { ...defaultCheck('db', 'command', 'true', 5_000, origin), ...overrides };
}

/** A finished run, passing at time 0 unless told otherwise. */
export function run(overrides: Partial<RunResult> = {}): RunResult {
  return {
    status: 'pass',
    exitCode: 0,
    httpStatus: null,
    signal: null,
    timedOut: false,
    durationMs: 1,
    output: '',
    endedAt: asMonotonicMs(0),
    time: asEpochMs(0),
    ...overrides,
  };
}

/** A run with `status` (exit 0 for pass, else 2), ended at `endedAt` on both clocks. */
export function result(status: Status, endedAt = 1_000, output = ''): RunResult {
  return run({
    status,
    exitCode: status === 'pass' ? 0 : 2,
    output,
    endedAt: asMonotonicMs(endedAt),
    time: asEpochMs(endedAt),
  });
}

/** One check as a report carries it: its last run has the same status (exit 0 or 2). */
export function check(
  name: string,
  status: Status | 'pending',
  overrides: Partial<CheckReport> = {},
): CheckReport {
  return {
    name,
    kind: 'command',
    status,
    critical: true,
    since: asEpochMs(0),
    last: status === 'pending' ? null : run({ status, exitCode: status === 'pass' ? 0 : 2 }),
    stale: false,
    history: [],
    changes: [],
    flap: null,
    ...overrides,
  };
}

// Kept for tests written before the helpers moved to modules of their own; import from there.
/** @deprecated import from ./logger.js */
export { memoryLogger, silentLogger } from './logger.js';
/** @deprecated import from ./wait.js */
export { deferred, eventually } from './wait.js';
/** @deprecated import from ./paths.js */
export { fixtures } from './paths.js';
/** @deprecated import from ./processes.js */
export { groupMembers } from './processes.js';

/** `tracker`, also remembering the process group of every run it starts, in order. */
export function recordingTracker(tracker: ProcessTracker): {
  tracker: ProcessTracker;
  pgids: number[];
} {
  const pgids: number[] = [];
  const open: ProcessTracker['open'] = (graceMs) => {
    const fence = tracker.open(graceMs);
    const started: typeof fence.started = (pid, send) => {
      pgids.push(pid);
      fence.started(pid, send);
    };
    return { ...fence, started };
  };
  return { tracker: { ...tracker, open }, pgids };
}
