import type { Status } from '../types.js';
import { aggregate } from './aggregate.js';
import type { CheckSnapshot, Probe, ReadOptions } from './probe.js';

/** The answer for one endpoint: its aggregate status and the checks behind it. */
export interface Evaluation {
  readonly status: Status;
  readonly checks: readonly CheckSnapshot[];
}

/** The status a snapshot counts as: a stale result is a failure. */
export function effectiveStatus(snapshot: CheckSnapshot) {
  return snapshot.stale ? 'fail' : snapshot.state.status;
}

function combine(checks: readonly CheckSnapshot[]): Evaluation {
  const members = checks.map((check) => ({
    status: effectiveStatus(check),
    critical: check.definition.critical,
  }));
  return { status: aggregate(members), checks };
}

/**
 * Reads every probe of an endpoint at once and combines them. Stays synchronous when every
 * answer is at hand (background mode, cache), so the hot path allocates no promise.
 */
export function evaluate(
  probes: readonly Probe[],
  options: ReadOptions,
): Evaluation | Promise<Evaluation> {
  const reads = probes.map((probe) => probe.read(options));
  if (reads.every((read) => !(read instanceof Promise))) return combine(reads as CheckSnapshot[]);
  return Promise.all(reads).then(combine);
}
