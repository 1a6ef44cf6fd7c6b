import type { Registry } from 'prom-client';
import type { CheckReport, RunResult } from '../types.js';
import { countAnswer, countRun, createCounts } from './metrics-counts.js';

/** What the metrics read at scrape time. */
export interface MetricsSources {
  readonly checks: () => readonly CheckReport[];
  /** Scopes of the maintenance flags in force (`all`, `check:db`). */
  readonly maintenance: () => readonly string[];
  /** Log lines dropped because stderr was not being read (0 when not given). */
  readonly logLinesDropped?: () => number;
}

/** The daemon's Prometheus metrics (prom-client), in a registry of their own. */
export interface Metrics {
  readonly observeRun: (check: string, result: RunResult) => void;
  readonly observeAnswer: (statusCode: number) => void;
  readonly render: () => Promise<string>;
  readonly contentType: string;
}

/** prom-client's Prometheus text format (`Registry.PROMETHEUS_CONTENT_TYPE`). */
const contentType = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Creates the metrics: check state, run durations and counts, answers by code, maintenance,
 * process. Runs and answers are counted in plain Maps; prom-client and its registry are
 * imported and built at the first scrape, which a daemon nobody scrapes never pays for
 * (docs/performance.md).
 */
export function createMetrics(sources: MetricsSources): Metrics {
  const counts = createCounts();
  let registry: Promise<Registry> | null = null;
  const built = (): Promise<Registry> =>
    (registry ??= import('./metrics-registry.js').then((m) => m.createRegistry(sources, counts)));
  return {
    observeRun: (check, result) => countRun(counts, check, result),
    observeAnswer: (code) => countAnswer(counts, code),
    render: async () => (await built()).metrics(),
    contentType,
  };
}
