import type { RunResult } from '../types.js';

/** Upper bounds of the run duration histogram, in seconds. */
export const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** One check's runs: how many ended each way, and their durations as a histogram. */
export interface CheckRuns {
  /** Runs by result (`pass`, `warn`, `fail`, `timeout`), in the order first seen. */
  readonly byResult: Map<string, number>;
  /** Runs per bucket of `durationBuckets` (not cumulative); longer runs are in none. */
  readonly buckets: number[];
  sumSeconds: number;
  count: number;
}

/**
 * What the daemon counts between scrapes, in plain Maps: cheap on the hot path, and read by
 * the Prometheus registry only when one is built (at the first scrape).
 */
export interface MetricCounts {
  /** Runs of each check by name, in the order first seen. */
  readonly runs: Map<string, CheckRuns>;
  /** HTTP answers by status code, each in a cell of its own (an answer updates, never sets). */
  readonly answers: Map<number, { count: number }>;
}

/** Empty counts. */
export function createCounts(): MetricCounts {
  return { runs: new Map(), answers: new Map() };
}

/** Counts a run: its result (a timeout as its own) and its duration. */
export function countRun(counts: MetricCounts, check: string, result: RunResult): void {
  let runs = counts.runs.get(check);
  if (runs === undefined) {
    runs = { byResult: new Map(), buckets: durationBuckets.map(() => 0), sumSeconds: 0, count: 0 };
    counts.runs.set(check, runs);
  }
  const outcome = result.timedOut ? 'timeout' : result.status;
  runs.byResult.set(outcome, (runs.byResult.get(outcome) ?? 0) + 1);
  const seconds = result.durationMs / 1000;
  const bucket = durationBuckets.findIndex((bound) => seconds <= bound);
  if (bucket >= 0) runs.buckets[bucket] = (runs.buckets[bucket] ?? 0) + 1;
  runs.sumSeconds += seconds;
  runs.count += 1;
}

/** Counts an HTTP answer. */
export function countAnswer(counts: MetricCounts, statusCode: number): void {
  const cell = counts.answers.get(statusCode);
  if (cell === undefined) counts.answers.set(statusCode, { count: 1 });
  else cell.count += 1;
}
