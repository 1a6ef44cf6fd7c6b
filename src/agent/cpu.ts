import { readFileSync } from 'node:fs';

/** Cumulative CPU time of the whole machine, in clock ticks. */
export interface CpuTimes {
  /** idle + iowait. */
  readonly idle: number;
  /** user + nice + system + idle + iowait + irq + softirq + steal. */
  readonly total: number;
}

export interface CpuSamplerOptions {
  /**
   * The source of samples: returns the text of `/proc/stat` (only its `cpu` line is read).
   * Default: reads `/proc/stat`. Tests pass recorded texts, so that the weight never depends on
   * how busy the machine running them is.
   */
  readonly readStat?: () => string;
  /** Time between samples. Default 1000 ms; null: no timer, only `sample()` takes one. */
  readonly intervalMs?: number | null;
  /** How many intervals the average spans. Default 5. */
  readonly windowSize?: number;
  /** Called when a sample cannot be taken, once per run of failures. */
  readonly onError?: (error: Error) => void;
}

/** Idle CPU averaged over the last few seconds. */
export interface CpuSampler {
  /** Percent idle over the window; null until two samples exist (or after a failed read). */
  readonly idlePercent: () => number | null;
  /** Takes a sample now (the timer calls this every interval). */
  readonly sample: () => void;
  readonly stop: () => void;
}

/** Fields of the `cpu` line counted in the total. guest and guest_nice are left out: the kernel
 *  already counts them in user and nice. */
const countedFields = 8;

/** Reads the aggregate `cpu` line of /proc/stat; throws when the text is not what Linux writes. */
export function parseProcStat(text: string): CpuTimes {
  const line = text.split('\n').find((candidate) => candidate.startsWith('cpu '));
  if (line === undefined) {
    throw new Error(`/proc/stat: expected a line starting with "cpu ", found none`);
  }
  const fields = line
    .trim()
    .split(/\s+/)
    .slice(1, 1 + countedFields);
  if (fields.length < 4 || !fields.every((field) => /^\d+$/.test(field))) {
    throw new Error(
      `/proc/stat: expected "cpu user nice system idle ..." (at least 4 counters), found "${line.slice(0, 120)}"`,
    );
  }
  const numbers = fields.map(Number);
  const idle = (numbers[3] ?? 0) + (numbers[4] ?? 0);
  return { idle, total: numbers.reduce((sum, value) => sum + value, 0) };
}

/** The weight idle CPU earns: its rounded percentage, at most 100, never below `minWeight`. */
export function weightFromIdle(idlePercent: number, minWeight: number): number {
  return Math.max(minWeight, Math.min(100, Math.round(idlePercent)));
}

/** Samples /proc/stat every interval (timer unref'd) and keeps the last `windowSize` deltas. */
export function createCpuSampler(options: CpuSamplerOptions = {}): CpuSampler {
  const readStat = options.readStat ?? (() => readFileSync('/proc/stat', 'latin1'));
  const windowSize = options.windowSize ?? 5;
  let previous: CpuTimes | null = null;
  let deltas: CpuTimes[] = [];
  let failing = false;

  const sample = (): void => {
    let current: CpuTimes;
    try {
      current = parseProcStat(readStat());
    } catch (error) {
      // Stale numbers would look current: forget them until reads work again.
      previous = null;
      deltas = [];
      if (!failing) options.onError?.(error instanceof Error ? error : new Error(String(error)));
      failing = true;
      return;
    }
    failing = false;
    if (previous) deltas = [...deltas, delta(previous, current)].slice(-windowSize);
    previous = current;
  };

  sample();
  const intervalMs = options.intervalMs === undefined ? 1_000 : options.intervalMs;
  const timer = intervalMs === null ? undefined : setInterval(sample, intervalMs);
  timer?.unref();
  return {
    idlePercent: () => average(deltas),
    sample,
    stop: () => clearInterval(timer),
  };
}

/** Counters only grow, but iowait is known to step back on some kernels: clamp to sense. */
function delta(before: CpuTimes, after: CpuTimes): CpuTimes {
  const total = Math.max(0, after.total - before.total);
  const idle = Math.min(total, Math.max(0, after.idle - before.idle));
  return { idle, total };
}

function average(deltas: readonly CpuTimes[]): number | null {
  if (deltas.length === 0) return null;
  let idle = 0;
  let total = 0;
  for (const entry of deltas) {
    idle += entry.idle;
    total += entry.total;
  }
  return total === 0 ? null : (idle / total) * 100;
}
