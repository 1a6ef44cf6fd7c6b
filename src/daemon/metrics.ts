import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CheckReport, RunResult } from '../types.js';

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

const states = ['pass', 'warn', 'fail', 'pending'] as const;

/** Creates the registry: check state, run durations and counts, answers by code, maintenance, process. */
export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const answers = new Map<number, number>();
  stateGauge(registry, sources);
  perfdataGauge(registry, sources);
  maintenanceGauge(registry, sources);
  flappingGauge(registry, sources);
  droppedLinesCounter(registry, sources);
  new Counter({
    name: 'healthcheckd_http_responses_total',
    help: 'HTTP answers by status code',
    labelNames: ['code'],
    registers: [registry],
    // Counted in a plain Map on the hot path; copied into the counter at scrape time.
    collect() {
      this.reset();
      for (const [code, count] of answers) this.labels(String(code)).inc(count);
    },
  });
  const duration = new Histogram({
    name: 'healthcheckd_check_run_duration_seconds',
    help: 'Duration of check runs',
    labelNames: ['check'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const runs = new Counter({
    name: 'healthcheckd_check_runs_total',
    help: 'Check runs by result',
    labelNames: ['check', 'result'],
    registers: [registry],
  });
  return {
    observeRun(check, result) {
      duration.labels(check).observe(result.durationMs / 1000);
      runs.labels(check, result.timedOut ? 'timeout' : result.status).inc();
    },
    observeAnswer: (code) => void answers.set(code, (answers.get(code) ?? 0) + 1),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

function stateGauge(registry: Registry, sources: MetricsSources): void {
  new Gauge({
    name: 'healthcheckd_check_state',
    help: 'Current state of each check (1 for the state it is in)',
    labelNames: ['check', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const check of sources.checks()) {
        for (const state of states)
          this.labels(check.name, state).set(check.status === state ? 1 : 0);
      }
    },
  });
}

/**
 * The performance data of each check's last run, as printed (in its unit). Rebuilt at every
 * scrape, so a label the check stops printing, or a check removed on reload, disappears.
 */
function perfdataGauge(registry: Registry, sources: MetricsSources): void {
  new Gauge({
    name: 'healthcheckd_check_perfdata',
    help: "Performance data of each check's last run (Nagios plugin format), in the unit it was printed in",
    labelNames: ['check', 'label'],
    registers: [registry],
    collect() {
      this.reset();
      for (const check of sources.checks()) {
        for (const item of check.last?.perfdata?.values ?? [])
          this.labels(check.name, item.label).set(item.value);
      }
    },
  });
}

function droppedLinesCounter(registry: Registry, sources: MetricsSources): void {
  new Counter({
    name: 'healthcheckd_log_lines_dropped_total',
    help: 'Log lines dropped because stderr was not being read',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.logLinesDropped?.() ?? 0);
    },
  });
}

function maintenanceGauge(registry: Registry, sources: MetricsSources): void {
  new Gauge({
    name: 'healthcheckd_maintenance',
    help: 'Maintenance flags in force (1 per scope)',
    labelNames: ['scope'],
    registers: [registry],
    collect() {
      this.reset();
      for (const scope of sources.maintenance()) this.labels(scope).set(1);
    },
  });
}

/** 1 while a check flaps (`flap_threshold`), else 0; checks without flap detection are 0. */
function flappingGauge(registry: Registry, sources: MetricsSources): void {
  new Gauge({
    name: 'healthcheckd_check_flapping',
    help: 'Whether each check is flapping (flap_threshold): 1 flapping, 0 not',
    labelNames: ['check'],
    registers: [registry],
    collect() {
      this.reset();
      for (const check of sources.checks())
        this.labels(check.name).set(check.flap?.flapping ? 1 : 0);
    },
  });
}
