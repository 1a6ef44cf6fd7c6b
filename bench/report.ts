// The table of `npm run bench`: each figure beside its baseline, its ratio and its target
// (docs/performance.md lists the targets).

/** One line of the table. */
export interface Row {
  readonly scenario: string;
  readonly value: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  readonly met: boolean;
}

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A row of `value` against `baseline`; `better` says which way the ratio must go. */
function ratioRow(
  better: 'more' | 'less',
  scenario: string,
  value: number,
  baseline: number,
  target: number,
  unit: string,
  digits: number,
): Row {
  const ratio = value / baseline;
  return {
    scenario,
    value: `${fmt(value, digits)} ${unit}`,
    baseline: `${fmt(baseline, digits)} ${unit}`,
    ratio: `${fmt(ratio, 2)}x`,
    target: `${better === 'more' ? '>=' : '<='} ${target}x`,
    met: better === 'more' ? ratio >= target : ratio <= target,
  };
}

/** A row whose ratio must be at least `target` (more is better: requests a second). */
export const atLeast = (
  scenario: string,
  value: number,
  baseline: number,
  target: number,
  unit = 'req/s',
  digits = 0,
): Row => ratioRow('more', scenario, value, baseline, target, unit, digits);

/** A row whose ratio must be at most `target` (less is better: CPU, memory, time). */
export const atMost = (
  scenario: string,
  value: number,
  baseline: number,
  target: number,
  unit: string,
  digits = 0,
): Row => ratioRow('less', scenario, value, baseline, target, unit, digits);

/** The rows for the medians `m` of every round. */
export function rows(m: Record<string, number>): Row[] {
  const g = (key: string): number => m[key] ?? NaN;
  return [
    atLeast('1. background answer, 1 connection', g('bg1'), g('bare1'), 0.8),
    atLeast('1. background answer, 100 connections', g('bg100'), g('bare100'), 0.8),
    atLeast('1. cached answer (cache_pass), 1 connection', g('cached1'), g('bare1'), 0.8),
    atLeast('1. cached answer (cache_pass), 100 connections', g('cached100'), g('bare100'), 0.8),
    {
      ...atLeast(
        '2. storm of 100 on `true`, single-flight',
        g('stormTrue'),
        g('stormBare100'),
        0.5,
      ),
      scenario: `2. storm of 100 on \`true\`, single-flight (errors ${fmt(g('stormTrueErrors'))})`,
    },
    atLeast(
      '3. one connection, `true` each request vs naive spawner',
      g('seqTrue'),
      g('naiveTrue'),
      0.9,
    ),
    atMost(
      '3. CPU per request (server + children), `true`',
      g('cpuTrue'),
      g('naiveCpuTrue'),
      1.15,
      'ms',
      2,
    ),
    atLeast(
      '3. the same with `spawn_helper = off` (Node spawn)',
      g('seqTrueNode'),
      g('naiveTrue'),
      0.9,
    ),
    atMost(
      '3. CPU per request with `spawn_helper = off`',
      g('cpuTrueNode'),
      g('naiveCpuTrue'),
      1.15,
      'ms',
      2,
    ),
    atLeast(
      '3. one connection, `:` through bash vs naive spawner of `bash -c :`',
      g('seqShell'),
      g('naiveShell'),
      0.9,
    ),
    atMost(
      '3. CPU per request (server + children), `bash -c :`',
      g('cpuShell'),
      g('naiveCpuShell'),
      1.15,
      'ms',
      2,
    ),
    {
      scenario: `4. storm of 100 on \`sleep 0.2\` (errors ${fmt(g('stormSleepErrors'))}, runs ${fmt(g('sleepRunsPerSecond'), 1)}/s = one in flight)`,
      value: `${fmt(g('stormSleep'))} req/s, p99 ${fmt(g('stormSleepP99'))} ms`,
      baseline: 'ceiling 500 req/s',
      ratio: `${fmt(g('stormSleep') / 500, 2)}x`,
      target: '>= 475 req/s, p99 < 250 ms, 0 errors',
      met:
        g('stormSleep') >= 475 &&
        g('stormSleepP99') < 250 &&
        g('stormSleepErrors') === 0 &&
        g('sleepRunsPerSecond') <= 5.5,
    },
    under('5. side probe p99 during storm 2', g('sideP99True'), 50),
    under('5. side probe p99 during storm 4', g('sideP99Sleep'), 50),
    atMost('6. idle RSS after start', g('daemonIdle') / 1024, g('bareIdle') / 1024, 1.15, 'MiB', 1),
    atMost(
      '6. peak RSS under 100 connections',
      g('daemonHwm') / 1024,
      g('bareHwm') / 1024,
      1.25,
      'MiB',
      1,
    ),
    {
      scenario: '6. RSS growth from 10k to 100k requests',
      value: `${fmt(g('daemonGrowth') / 1024, 1)} MiB`,
      baseline: `${fmt(g('bareGrowth') / 1024, 1)} MiB`,
      ratio: '-',
      target: 'no more than bare (+2 MiB noise)',
      met: g('daemonGrowth') <= Math.max(g('bareGrowth'), 0) + 2048,
    },
    atMost('7. start-up: exec to first answered probe', g('startDaemon'), g('startBare'), 2, 'ms'),
  ];
}

function under(scenario: string, valueMs: number, limitMs: number): Row {
  return {
    scenario,
    value: `${fmt(valueMs)} ms`,
    baseline: '-',
    ratio: '-',
    target: `< ${limitMs} ms`,
    met: valueMs < limitMs,
  };
}

/** The rows as a Markdown table. */
export function table(all: readonly Row[]): string {
  const lines = [
    '| scenario | healthcheckd | baseline | ratio | target | met |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of all)
    lines.push(
      `| ${row.scenario} | ${row.value} | ${row.baseline} | ${row.ratio} | ${row.target} | ${row.met ? 'yes' : '**no**'} |`,
    );
  return lines.join('\n');
}

/** The median of `values` (NaN for none). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** Before and after side by side: each scenario's figure and ratio in both builds. */
export function compare(before: readonly Row[], after: readonly Row[]): string {
  const lines = [
    '| scenario | before | before ratio | after | after ratio | target |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  // Scenario names carry per-run counts in parentheses ("errors 0"): matched without them.
  const key = (row: Row): string => row.scenario.replace(/ \(.*\)$/, '');
  for (const row of after) {
    const old = before.find((candidate) => key(candidate) === key(row));
    lines.push(
      `| ${row.scenario} | ${old?.value ?? '-'} | ${old?.ratio ?? '-'} | ${row.value} | ${row.ratio} | ${row.target} |`,
    );
  }
  return lines.join('\n');
}
