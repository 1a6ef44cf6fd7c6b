import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createCpuSampler, parseProcStat, weightFromIdle } from '../../src/agent/cpu.js';

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

const never = 3_600_000;

describe('parseProcStat', () => {
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

  it('throws a clear error on malformed input', () => {
    assert.throws(() => parseProcStat(''), /\/proc\/stat: expected a line starting with "cpu "/);
    assert.throws(() => parseProcStat('cpu 1 2\n'), /at least 4 counters.*found "cpu 1 2"/);
    assert.throws(() => parseProcStat('cpu 1 2 x 4\n'), /at least 4 counters/);
  });
});

describe('weightFromIdle', () => {
  it('rounds, caps at 100 and never goes below min_weight', () => {
    assert.equal(weightFromIdle(72.6, 1), 73);
    assert.equal(weightFromIdle(100.4, 1), 100);
    assert.equal(weightFromIdle(3, 10), 10);
    assert.equal(weightFromIdle(0, 1), 1);
    assert.equal(weightFromIdle(55, 55), 55);
  });
});

describe('createCpuSampler', () => {
  it('knows nothing until two samples exist', () => {
    const sampler = createCpuSampler({
      readStat: texts(stat(0, 0), stat(50, 50)),
      intervalMs: never,
    });
    assert.equal(sampler.idlePercent(), null);
    sampler.sample();
    assert.equal(sampler.idlePercent(), 50);
    sampler.stop();
  });

  it('counts iowait as idle', () => {
    const readStat = texts(stat(0, 0, 0), stat(25, 25, 50));
    const sampler = createCpuSampler({ readStat, intervalMs: never });
    sampler.sample();
    assert.equal(sampler.idlePercent(), 75);
    sampler.stop();
  });

  it('weighs each interval by its ticks: sum of idle over sum of total', () => {
    // Deltas: 100 ticks 100 % idle, then 300 ticks 0 % idle: 100 / 400 = 25 %, not (100 + 0) / 2.
    const readStat = texts(stat(0, 0), stat(0, 100), stat(300, 100));
    const sampler = createCpuSampler({ readStat, intervalMs: never });
    sampler.sample();
    sampler.sample();
    assert.equal(sampler.idlePercent(), 25);
    sampler.stop();
  });

  it('keeps only the last windowSize deltas', () => {
    const readStat = texts(stat(0, 0), stat(0, 100), stat(100, 100), stat(200, 100));
    const sampler = createCpuSampler({ readStat, intervalMs: never, windowSize: 2 });
    sampler.sample();
    sampler.sample();
    sampler.sample();
    assert.equal(sampler.idlePercent(), 0);
    sampler.stop();
  });

  it('clamps an iowait counter that steps back', () => {
    const readStat = texts(stat(0, 100, 50), stat(100, 100, 0));
    const sampler = createCpuSampler({ readStat, intervalMs: never });
    sampler.sample();
    assert.equal(sampler.idlePercent(), 0);
    sampler.stop();
  });

  it('forgets old numbers when a read fails, and reports the failure once', () => {
    const errors: string[] = [];
    const items = [stat(0, 0), stat(0, 100), 'garbage', 'garbage', stat(0, 200), stat(100, 200)];
    const sampler = createCpuSampler({
      readStat: texts(...items),
      intervalMs: never,
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

  it('samples on its own every interval and stops when told', async () => {
    let reads = 0;
    const readStat = (): string => stat(reads, 100 * ++reads);
    const sampler = createCpuSampler({ readStat, intervalMs: 20 });
    await sleep(110);
    sampler.stop();
    const seen = reads;
    assert.ok(seen >= 3, `expected several samples, got ${seen}`);
    assert.notEqual(sampler.idlePercent(), null);
    await sleep(60);
    assert.equal(reads, seen, 'no sample after stop');
  });

  it('measures the real /proc/stat', { skip: !existsSync('/proc/stat') }, async () => {
    const sampler = createCpuSampler({ intervalMs: 50 });
    assert.equal(sampler.idlePercent(), null);
    await sleep(200);
    sampler.stop();
    const idle = sampler.idlePercent();
    assert.ok(idle !== null && idle >= 0 && idle <= 100, `idle ${idle}`);
  });
});
