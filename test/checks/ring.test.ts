import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRing } from '../../src/checks/ring.js';

describe('createRing', { timeout: 10_000 }, () => {
  it('keeps what was pushed, oldest first, until full', () => {
    const ring = createRing<number>(3);
    assert.deepEqual(ring.items(), []);
    ring.push(1);
    ring.push(2);
    assert.deepEqual(ring.items(), [1, 2]);
    assert.equal(ring.size(), 2);
  });

  it('drops the oldest once full, and never grows past its capacity', () => {
    const ring = createRing<number>(3);
    for (let i = 1; i <= 1_000; i += 1) {
      ring.push(i);
      assert.ok(ring.size() <= 3);
    }
    assert.deepEqual(ring.items(), [998, 999, 1000]);
  });

  it('keeps the order at every wrap-around position', () => {
    const ring = createRing<number>(4);
    const pushed: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      ring.push(i);
      pushed.push(i);
      assert.deepEqual(ring.items(), pushed.slice(-4));
    }
  });

  it('hands out copies: changing one does not change the ring', () => {
    const ring = createRing<number>(2);
    ring.push(1);
    ring.items().push(99);
    assert.deepEqual(ring.items(), [1]);
  });

  it('refuses a capacity that is not an integer >= 1', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => createRing(capacity), /capacity must be an integer >= 1, got/);
    }
  });
});
