import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  createCpuSampler,
  parseProcStat,
  weightFromIdle,
  type CpuSampler,
} from '../../src/agent/cpu.js';
import { createWeightSource } from '../../src/agent/weight-source.js';
import { silentLogger } from '../support/logger.js';
import { eventually, sleep } from '../support/wait.js';

/** A /proc/stat text whose `cpu` line has these counters. */
function stat(user: number, idle: number, iowait = 0, guest = 0): string {
  return [
    `cpu  ${user} 0 0 ${idle} ${iowait} 0 0 0 ${guest} 0`,
    `cpu0 ${user} 0 0 ${idle} ${iowait} 0 0 0 ${guest} 0`,
    'intr 12345',
    'ctxt 678',
  ].join('\n');
}

/** A readStat that serves the given texts in turn, then repeats the last. */
function texts(...items: string[]): () => string {
  let index = 0;
  return () => items[Math.min(index++, items.length - 1)] ?? '';
}

/** A sampler with no timer, fed `items`, that has taken every sample they hold. */
function sampled(items: readonly string[], windowSize?: number): CpuSampler {
  const sampler = createCpuSampler({
    readStat: texts(...items),
    intervalMs: null,
    ...(windowSize === undefined ? {} : { windowSize }),
  });
  for (let i = 1; i < items.length; i += 1) sampler.sample();
  return sampler;
}

/** The agent's weight (`weight = cpu`) after the samples in `items`. */
async function weightAfter(items: readonly string[], minWeight = 1): Promise<number | null> {
  const source = createWeightSource({
    weight: { kind: 'cpu' },
    minWeight,
    logger: silentLogger,
    cpu: sampled(items),
  });
  try {
    return await source.read();
  } finally {
    source.stop();
  }
}

/**
 * Samples one second apart on a machine with 100 ticks a second, the share `idle` of each
 * interval idle (0 to 1): cumulative counters, as the kernel writes them.
 */
function timeline(...idle: readonly number[]): string[] {
  let busyTicks = 1_000_000;
  let idleTicks = 5_000_000;
  const texts = [stat(busyTicks, idleTicks)];
  for (const share of idle) {
    idleTicks += Math.round(100 * share);
    busyTicks += 100 - Math.round(100 * share);
    texts.push(stat(busyTicks, idleTicks));
  }
  return texts;
}

describe('parseProcStat', { timeout: 10_000 }, () => {
  it('reads idle + iowait and the total of the first eight counters', () => {
    const text = 'cpu  10 20 30 400 50 6 7 8 99 99\ncpu0 1 1 1 1 1 1 1 1 1 1\n';
    assert.deepEqual(parseProcStat(text), { idle: 450, total: 531 });
  });

  it('accepts the four counters of an old kernel', () => {
    assert.deepEqual(parseProcStat('cpu 1 2 3 4\n'), { idle: 4, total: 10 });
  });

  it('uses the aggregate line, not cpu0', () => {
    assert.deepEqual(parseProcStat('cpu0 1 1 1 1\ncpu  2 0 0 8\n'), { idle: 8, total: 10 });
  });

  it('reads odd but valid lines: CRLF, tabs, trailing blanks, the line not first', () => {
    assert.deepEqual(parseProcStat('cpu  2 0 0 8\r\nintr 1\r\n'), { idle: 8, total: 10 });
    assert.deepEqual(parseProcStat('cpu \t2\t0 0   8  \n'), { idle: 8, total: 10 });
    assert.deepEqual(parseProcStat('intr 1 2\nctxt 3\ncpu  2 0 0 8 0 0 0 0\n'), {
      idle: 8,
      total: 10,
    });
  });

  it('throws a clear error on malformed input', () => {
    assert.throws(() => parseProcStat(''), /\/proc\/stat: expected a line starting with "cpu "/);
    assert.throws(() => parseProcStat('cpu0 1 2 3 4\n'), /expected a line starting with "cpu "/);
    assert.throws(() => parseProcStat('cpu 1 2\n'), /at least 4 counters.*found "cpu 1 2"/);
    assert.throws(() => parseProcStat('cpu 1 2 x 4\n'), /at least 4 counters/);
    assert.throws(() => parseProcStat('cpu 1 2 -3 4\n'), /at least 4 counters/);
  });
});

describe('weightFromIdle', { timeout: 10_000 }, () => {
  it('rounds, caps at 100 and never goes below min_weight', () => {
    assert.equal(weightFromIdle(72.6, 1), 73);
    assert.equal(weightFromIdle(100.4, 1), 100);
    assert.equal(weightFromIdle(3, 10), 10);
    assert.equal(weightFromIdle(0, 1), 1);
    assert.equal(weightFromIdle(55, 55), 55);
  });
});

describe('createCpuSampler on recorded samples', { timeout: 10_000 }, () => {
  it('knows nothing until two samples exist', () => {
    const sampler = createCpuSampler({
      readStat: texts(stat(0, 0), stat(50, 50)),
      intervalMs: null,
    });
    assert.equal(sampler.idlePercent(), null);
    sampler.sample();
    assert.equal(sampler.idlePercent(), 50);
    sampler.stop();
  });

  it('counts iowait as idle', () => {
    assert.equal(sampled([stat(0, 0, 0), stat(25, 25, 50)]).idlePercent(), 75);
  });

  it('weighs each interval by its ticks: sum of idle over sum of total', () => {
    // Deltas: 100 ticks 100 % idle, then 300 ticks 0 % idle: 100 / 400 = 25 %, not (100 + 0) / 2.
    assert.equal(sampled([stat(0, 0), stat(0, 100), stat(300, 100)]).idlePercent(), 25);
  });

  it('keeps only the last windowSize deltas', () => {
    const items = [stat(0, 0), stat(0, 100), stat(100, 100), stat(200, 100)];
    assert.equal(sampled(items, 2).idlePercent(), 0);
    assert.equal(sampled(items, 3).idlePercent(), (100 / 300) * 100);
  });

  it('clamps an iowait counter that steps back', () => {
    assert.equal(sampled([stat(0, 100, 50), stat(100, 100, 0)]).idlePercent(), 0);
  });

  it('skips an interval whose counters went back (a wrap or reset), and counts the next', () => {
    const wrapped = [stat(1_000, 9_000), stat(10, 90), stat(30, 170)];
    // The step back counts as no time at all; then 20 busy and 80 idle ticks: 80 % idle.
    assert.equal(sampled(wrapped).idlePercent(), 80);
    assert.equal(sampled(wrapped.slice(0, 2)).idlePercent(), null, 'no time passed yet');
  });

  it('answers null, not NaN, when no tick passed between samples', () => {
    assert.equal(sampled([stat(5, 5), stat(5, 5), stat(5, 5)]).idlePercent(), null);
  });

  it('forgets old numbers when a read fails, and reports the failure once', () => {
    const errors: string[] = [];
    const items = [stat(0, 0), stat(0, 100), 'garbage', 'garbage', stat(0, 200), stat(100, 200)];
    const sampler = createCpuSampler({
      readStat: texts(...items),
      intervalMs: null,
      onError: (error) => errors.push(error.message),
    });
    sampler.sample();
    assert.equal(sampler.idlePercent(), 100);
    sampler.sample();
    sampler.sample();
    assert.equal(sampler.idlePercent(), null);
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /\/proc\/stat/);
    sampler.sample();
    assert.equal(sampler.idlePercent(), null, 'one good sample is not enough after a gap');
    sampler.sample();
    assert.equal(sampler.idlePercent(), 0);
    sampler.stop();
  });

  it('also reports a read that throws (an unreadable /proc)', () => {
    const errors: string[] = [];
    const sampler = createCpuSampler({
      readStat: () => {
        throw new Error('EACCES: /proc/stat');
      },
      intervalMs: null,
      onError: (error) => errors.push(error.message),
    });
    sampler.sample();
    assert.equal(sampler.idlePercent(), null);
    assert.deepEqual(errors, ['EACCES: /proc/stat']);
  });
});

describe('the agent weight (weight = cpu) on recorded samples', { timeout: 10_000 }, () => {
  it('sends the idle share: idle 80 % gives weight 80', async () => {
    assert.equal(await weightAfter(timeline(0.8, 0.8, 0.8)), 80);
  });

  it('averages the last five intervals: a short spike moves it, the window forgets it', async () => {
    assert.equal(await weightAfter(timeline(1, 1, 1, 1, 0)), 80, 'one busy second in five');
    assert.equal(await weightAfter(timeline(0, 1, 1, 1, 1, 1)), 100, 'six seconds ago: gone');
  });

  it('never sends less than min_weight, nor more than 100', async () => {
    assert.equal(await weightAfter(timeline(0, 0, 0), 10), 10);
    assert.equal(await weightAfter(timeline(0.05, 0.05), 10), 10);
    assert.equal(await weightAfter(timeline(0.5), 60), 60);
    assert.equal(await weightAfter(timeline(1, 1), 1), 100);
  });

  it('sends no weight before two samples, nor after a broken read', async () => {
    assert.equal(await weightAfter(timeline()), null);
    assert.equal(await weightAfter([...timeline(0.5), 'cpu nonsense']), null);
  });
});

describe('createCpuSampler on its timer', { timeout: 30_000 }, () => {
  it('samples on its own every interval and stops when told', async () => {
    let reads = 0;
    const readStat = (): string => stat(reads, 100 * ++reads);
    const sampler = createCpuSampler({ readStat, intervalMs: 20 });
    assert.ok(await eventually(() => reads >= 3), `expected several samples, got ${reads}`);
    sampler.stop();
    const seen = reads;
    assert.notEqual(sampler.idlePercent(), null);
    await sleep(100);
    assert.equal(reads, seen, 'no sample after stop');
  });

  it('takes no sample on its own with intervalMs null', async () => {
    let reads = 0;
    const sampler = createCpuSampler({ readStat: () => (reads++, stat(0, 0)), intervalMs: null });
    await sleep(50);
    assert.equal(reads, 1, 'only the first sample, at creation');
    sampler.stop();
  });

  it(
    'measures the real /proc/stat: a percentage, whatever the load',
    {
      skip: !existsSync('/proc/stat'),
    },
    async () => {
      const sampler = createCpuSampler({ intervalMs: 50 });
      assert.equal(sampler.idlePercent(), null);
      assert.ok(await eventually(() => sampler.idlePercent() !== null), 'a second sample came');
      sampler.stop();
      const idle = sampler.idlePercent();
      assert.ok(idle !== null && idle >= 0 && idle <= 100, `idle ${idle}`);
    },
  );
});
