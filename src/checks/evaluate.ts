import type { CheckReport, EndpointReport } from '../types.js';
import { aggregate } from './aggregate.js';
import type { CheckSnapshot, CheckRunner, ReadOptions } from './runner.js';

/** A snapshot as answers report it; a stale result counts as fail. */
export function toReport(snapshot: CheckSnapshot): CheckReport {
  const { definition, state, stale, history } = snapshot;
  return {
    name: definition.name,
    kind: definition.kind,
    status: stale ? 'fail' : state.status,
    critical: definition.critical,
    since: state.since,
    last: state.last,
    stale,
    history: history.results,
    changes: history.changes,
    flap: history.flap,
  };
}

/** Combines check reports into an endpoint report. */
export function combine(checks: readonly CheckReport[]): EndpointReport {
  return { status: aggregate(checks), checks };
}

function fromSnapshot(snapshot: CheckSnapshot): EndpointReport {
  return combine([toReport(snapshot)]);
}

function fromSnapshots(snapshots: readonly CheckSnapshot[]): EndpointReport {
  return combine(snapshots.map(toReport));
}

/**
 * Reads every runner of an endpoint at once and combines them. Stays synchronous when every
 * answer is at hand (background mode, cache), so the hot path allocates no promise.
 */
export function evaluate(
  runners: readonly CheckRunner[],
  options: ReadOptions,
): EndpointReport | Promise<EndpointReport> {
  // `/check/<name>`, the probes' usual path, allocates no array of reads.
  if (runners.length === 1 && runners[0] !== undefined) {
    const read = runners[0].read(options);
    return read instanceof Promise ? read.then(fromSnapshot) : fromSnapshot(read);
  }
  const reads = runners.map((runner) => runner.read(options));
  if (reads.every((read) => !(read instanceof Promise))) {
    return fromSnapshots(reads as CheckSnapshot[]);
  }
  return Promise.all(reads).then(fromSnapshots);
}
