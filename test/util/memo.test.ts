import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoize } from '../../src/util/memo.js';

/** A memoized length function that records every key it really computed. */
function counted(maxCount?: number, maxLength?: number) {
  const computed: string[] = [];
  const length = memoize(
    (key: string) => {
      computed.push(key);
      return key.length;
    },
    maxCount,
    maxLength,
  );
  return { length, computed };
}

describe('memoize', { timeout: 30_000 }, () => {
  it('computes a key once and answers it again from memory', () => {
    const { length, computed } = counted();
    assert.deepEqual([length('/check/db'), length('/check/db'), length('/')], [9, 9, 1]);
    assert.deepEqual(computed, ['/check/db', '/']);
  });

  it('forgets everything when full, then remembers again', () => {
    const { length, computed } = counted(2);
    for (const key of ['a', 'b', 'c', 'a', 'c']) length(key);
    // 'c' found the memory full (a, b): cleared, so 'a' is computed again, 'c' is not.
    assert.deepEqual(computed, ['a', 'b', 'c', 'a']);
  });

  it('never remembers a key longer than the bound', () => {
    const { length, computed } = counted(64, 4);
    for (const key of ['short', 'short', 'tiny', 'tiny']) length(key);
    assert.deepEqual(computed, ['short', 'short', 'tiny']);
  });
});
