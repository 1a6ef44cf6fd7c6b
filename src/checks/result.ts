import { epochNow, monotonicNow } from '../util/clock.js';
import type { RunResult } from '../types.js';

/** What a run found, before it is stamped with its end times. */
export type RunOutcome = Omit<RunResult, 'endedAt' | 'time'>;

/** A run result ending now: the outcome stamped on both clocks. */
export function endedNow(outcome: RunOutcome): RunResult {
  return { ...outcome, endedAt: monotonicNow(), time: epochNow() };
}

/**
 * A run that failed without a command's or a server's verdict (no slot, a spawn error, a
 * timeout, an internal error), ending now. `output` says why, in one bracketed sentence.
 */
export function failedNow(
  output: string,
  fields: Partial<Pick<RunResult, 'exitCode' | 'signal' | 'timedOut' | 'durationMs'>> = {},
): RunResult {
  return endedNow(failedOutcome(output, fields));
}

/** The outcome of such a failed run, for runners that stamp the times themselves. */
export function failedOutcome(
  output: string,
  fields: Partial<Pick<RunResult, 'exitCode' | 'signal' | 'timedOut' | 'durationMs'>> = {},
): RunOutcome {
  return {
    status: 'fail',
    exitCode: null,
    httpStatus: null,
    signal: null,
    timedOut: false,
    durationMs: 0,
    output,
    ...fields,
  };
}

/**
 * The result of a network check (tcp, http) ending now: no exit code, no signal.
 * @param startedMs when the run started, on `performance.now()`'s clock
 * @param httpStatus the answer's status code (http checks), else null
 */
export function networkResult(
  pass: boolean,
  httpStatus: number | null,
  timedOut: boolean,
  startedMs: number,
  output: string,
): RunResult {
  return endedNow({
    status: pass ? 'pass' : 'fail',
    exitCode: null,
    httpStatus,
    signal: null,
    timedOut,
    durationMs: performance.now() - startedMs,
    output,
  });
}
