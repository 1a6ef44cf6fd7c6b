import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { durationBuckets, type MetricCounts } from './metrics-counts.js';
import type { MetricsSources } from './metrics.js';

const states = ['pass', 'warn', 'fail', 'pending'] as const;

/**
 * The daemon's Prometheus registry (prom-client), built at the first scrape: every metric reads
 * the sources or the counts when it is collected. The process metrics count from then on.
 */
export function createRegistry(sources: MetricsSources, counts: MetricCounts): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  stateGauge(registry, sources);
  perfdataGauge(registry, sources);
  maintenanceGauge(registry, sources);
  flappingGauge(registry, sources);
  droppedLinesCounter(registry, sources);
  answersCounter(registry, counts);
  registry.registerMetric(durationHistogram(counts));
  runsCounter(registry, counts);
  return registry;
}

function answersCounter(registry: Registry, counts: MetricCounts): void {
  new Counter({
    name: 'healthcheckd_http_responses_total',
    help: 'HTTP answers by status code',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [code, { count }] of counts.answers) this.labels(String(code)).inc(count);
    },
  });
}

function runsCounter(registry: Registry, counts: MetricCounts): void {
  new Counter({
    name: 'healthcheckd_check_runs_total',
    help: 'Check runs by result',
    labelNames: ['check', 'result'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [check, runs] of counts.runs) {
        for (const [result, count] of runs.byResult) this.labels(check, result).inc(count);
      }
    },
  });
}

const durationName = 'healthcheckd_check_run_duration_seconds';

/**
 * The run durations as a histogram read from the counts. prom-client's Histogram cannot be set
 * from counts kept elsewhere, so this is a metric of its own, exported as prom-client exports
 * a histogram (`le` first, then the check; cumulative buckets, `+Inf`, `_sum`, `_count`).
 */
function durationHistogram(counts: MetricCounts): Metric {
  const help = 'Duration of check runs';
  const metric = {
    name: durationName,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: () => {
      const values = [...counts.runs].flatMap(([check, runs]) => {
        const sharedLabels = { check };
        let total = 0;
        const bucket = (le: number | string, value: number) => ({
          labels: { le },
          sharedLabels,
          value,
          metricName: `${durationName}_bucket`,
        });
        return [
          ...durationBuckets.map((le, i) => bucket(le, (total += runs.buckets[i] ?? 0))),
          bucket('+Inf', runs.count),
          { labels: {}, sharedLabels, value: runs.sumSeconds, metricName: `${durationName}_sum` },
          { labels: {}, sharedLabels, value: runs.count, metricName: `${durationName}_count` },
        ];
      });
      return Promise.resolve({
        name: durationName,
        help,
        type: 'histogram',
        aggregator: 'sum',
        values,
      });
    },
  };
  return metric as unknown as Metric;
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
