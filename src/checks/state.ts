import type { RunResult, Status } from '../types.js';
import type { EpochMs } from '../util/clock.js';

/** A check's state as its consumers see it; `pending` until a first result, and counts as fail. */
export type CheckStatus = Status | 'pending';

/** The smoothed state of one check: rise/fall applied to its run results. */
export interface CheckState {
  readonly status: CheckStatus;
  /** When the state last changed (wall clock, for people). */
  readonly since: EpochMs;
  readonly last: RunResult | null;
  readonly streaks: Streaks;
}

interface Streaks {
  readonly pass: number;
  readonly fail: number;
  readonly notPass: number;
  readonly notFail: number;
}

/** The state before any run. */
export function initialState(now: EpochMs): CheckState {
  return {
    status: 'pending',
    since: now,
    last: null,
    streaks: { pass: 0, fail: 0, notPass: 0, notFail: 0 },
  };
}

function nextStreaks(streaks: Streaks, status: Status): Streaks {
  return {
    pass: status === 'pass' ? streaks.pass + 1 : 0,
    fail: status === 'fail' ? streaks.fail + 1 : 0,
    notPass: status !== 'pass' ? streaks.notPass + 1 : 0,
    notFail: status !== 'fail' ? streaks.notFail + 1 : 0,
  };
}

/**
 * Whether the streaks allow moving from `from` to `to`. Getting better (towards pass) takes
 * `rise` results, getting worse takes `fall`; pending counts as fail, so leaving it takes `rise`.
 */
function mayMove(from: CheckStatus, to: Status, streaks: Streaks, rise: number, fall: number) {
  const worse = from === 'fail' || from === 'pending' ? false : to === 'fail' || from === 'pass';
  if (worse) return (to === 'fail' ? streaks.fail : streaks.notPass) >= fall;
  if (to === 'fail') return true;
  return (to === 'pass' ? streaks.pass : streaks.notFail) >= rise;
}

/**
 * Where the state goes: to the result's status when the streaks allow it; a passing check
 * that has seen `fall` non-passing results in a row (warn and fail mixed) turns warn at least.
 */
function nextStatus(
  from: CheckStatus,
  to: Status,
  streaks: Streaks,
  rise: number,
  fall: number,
): CheckStatus {
  if (to === from) return from;
  if (mayMove(from, to, streaks, rise, fall)) return to;
  if (from === 'pass' && to === 'fail' && streaks.notPass >= fall) return 'warn';
  return from;
}

/** Applies one run result to the state, honouring rise and fall. */
export function advance(
  state: CheckState,
  result: RunResult,
  rise: number,
  fall: number,
): CheckState {
  const streaks = nextStreaks(state.streaks, result.status);
  const target = nextStatus(state.status, result.status, streaks, rise, fall);
  const moves = target !== state.status;
  return {
    status: target,
    since: moves ? result.time : state.since,
    last: result,
    streaks,
  };
}
