import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  connectionCeiling,
  defaultConnectionCap,
  descriptorReserve,
  openFileLimit,
} from '../../src/http/connection-cap.js';

const limits = (soft: string, hard = soft): string =>
  'Limit                     Soft Limit           Hard Limit           Units     \n' +
  'Max processes             63459                63459                processes \n' +
  `Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     \n` +
  'Max locked memory         8388608              8388608              bytes     \n';

describe('openFileLimit', { timeout: 30_000 }, () => {
  it('reads the soft limit from /proc/self/limits', { timeout: 5_000 }, () => {
    assert.equal(openFileLimit(limits('1024', '4096')), 1024);
    assert.equal(openFileLimit(limits('unlimited')), Number.MAX_SAFE_INTEGER);
  });

  it('is null when the file is missing or unreadable', { timeout: 5_000 }, () => {
    assert.equal(openFileLimit(null), null);
    assert.equal(openFileLimit('Max processes 5 5 processes\n'), null);
    assert.equal(openFileLimit(limits('lots')), null);
  });

  it('reads the limit of this very process on Linux', { timeout: 5_000 }, (t) => {
    if (process.platform !== 'linux') return t.skip('no /proc/self/limits off Linux');
    const limit = openFileLimit();
    assert.ok(limit !== null && limit > 0);
  });
});

describe('defaultConnectionCap', { timeout: 30_000 }, () => {
  it('is the ceiling under a generous limit', { timeout: 5_000 }, () => {
    assert.equal(defaultConnectionCap(1_048_576), connectionCeiling);
    assert.equal(defaultConnectionCap(null), connectionCeiling);
  });

  it('leaves descriptors for everything else under a lower limit', { timeout: 5_000 }, () => {
    assert.equal(defaultConnectionCap(1_024), 1_024 - descriptorReserve);
    assert.equal(defaultConnectionCap(4_096), 4_096 - descriptorReserve);
  });

  it('never goes below a small floor', { timeout: 5_000 }, () => {
    assert.equal(defaultConnectionCap(100), 16);
  });
});
