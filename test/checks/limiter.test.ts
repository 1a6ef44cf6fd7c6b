import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asMonotonicMs, type MonotonicMs } from '../../src/util/clock.js';
import { setImmediate as tick } from 'node:timers/promises';
import { createLimiter } from '../../src/checks/limiter.js';

const later = (): MonotonicMs => asMonotonicMs(performance.now() + 60_000);

/** Acquires and records, in `order`, the label of each grant as it happens. */
function acquireAs(
  limiter: ReturnType<typeof createLimiter>,
  label: string,
  order: string[],
  deadline = later(),
): Promise<(() => void) | null> {
  return limiter.acquire(deadline).then((release) => {
    order.push(release ? label : `${label}:timeout`);
    return release;
  });
}

describe('createLimiter', { timeout: 30_000 }, () => {
  it('grants up to `slots` at once and queues the rest', async () => {
    const limiter = createLimiter(2);
    const order: string[] = [];
    const a = acquireAs(limiter, 'a', order);
    const b = acquireAs(limiter, 'b', order);
    void acquireAs(limiter, 'c', order);
    await tick();
    assert.deepEqual(order, ['a', 'b']);
    assert.equal(limiter.active(), 2);
    assert.equal(limiter.waiting(), 1);
    (await a)?.();
    await tick();
    assert.deepEqual(order, ['a', 'b', 'c']);
    assert.equal(limiter.active(), 2);
    assert.equal(limiter.waiting(), 0);
    (await b)?.();
    assert.equal(limiter.active(), 1);
  });

  it('grants waiting runs first come, first served', async () => {
    const limiter = createLimiter(1);
    const order: string[] = [];
    const first = await acquireAs(limiter, 'first', order);
    const waiting = ['w1', 'w2', 'w3'].map((label) => acquireAs(limiter, label, order));
    assert.equal(limiter.waiting(), 3);
    first?.();
    for (const next of waiting) (await next)?.();
    assert.deepEqual(order, ['first', 'w1', 'w2', 'w3']);
    assert.equal(limiter.active(), 0);
  });

  it('resolves null for a deadline already past while full, without leaking a slot', async () => {
    const limiter = createLimiter(1);
    const held = await limiter.acquire(later());
    assert.equal(await limiter.acquire(asMonotonicMs(performance.now() - 1_000)), null);
    assert.equal(limiter.waiting(), 0);
    assert.equal(limiter.active(), 1);
    held?.();
    assert.equal(limiter.active(), 0);
    const again = await limiter.acquire(asMonotonicMs(performance.now() - 1_000));
    assert.equal(typeof again, 'function', 'a free slot is granted even past the deadline');
    again?.();
    assert.equal(limiter.active(), 0);
  });

  it('gives up on a waiter at its deadline and keeps the others in order', async () => {
    const limiter = createLimiter(1);
    const order: string[] = [];
    const held = await acquireAs(limiter, 'held', order);
    const early = acquireAs(limiter, 'early', order, asMonotonicMs(performance.now() + 20));
    const patient = acquireAs(limiter, 'patient', order);
    assert.equal(await early, null);
    assert.equal(limiter.waiting(), 1);
    held?.();
    (await patient)?.();
    assert.deepEqual(order, ['held', 'early:timeout', 'patient']);
    assert.equal(limiter.active(), 0);
  });

  it('ignores a second release of the same slot', async () => {
    const limiter = createLimiter(2);
    const a = await limiter.acquire(later());
    const b = await limiter.acquire(later());
    assert.equal(limiter.active(), 2);
    a?.();
    a?.();
    assert.equal(limiter.active(), 1);
    b?.();
    assert.equal(limiter.active(), 0);
  });

  it('does not hand a slot to two waiters when a granted slot is released twice', async () => {
    const limiter = createLimiter(1);
    const order: string[] = [];
    const held = await acquireAs(limiter, 'held', order);
    const w1 = acquireAs(limiter, 'w1', order);
    const w2 = acquireAs(limiter, 'w2', order);
    held?.();
    held?.();
    const releaseW1 = await w1;
    await tick();
    assert.deepEqual(order, ['held', 'w1']);
    assert.equal(limiter.active(), 1);
    assert.equal(limiter.waiting(), 1);
    releaseW1?.();
    (await w2)?.();
    assert.equal(limiter.active(), 0);
  });
});
