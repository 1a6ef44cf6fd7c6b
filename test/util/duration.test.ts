import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../src/util/duration.js';

describe('parseDuration', { timeout: 30_000 }, () => {
  it('reads milliseconds, seconds, minutes and hours', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('5s'), 5_000);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('1h'), 3_600_000);
  });

  it('reads a bare number as seconds, fractions included', () => {
    assert.equal(parseDuration('1.5'), 1_500);
    assert.equal(parseDuration('30'), 30_000);
    assert.equal(parseDuration('0'), 0);
    assert.equal(parseDuration('0.25s'), 250);
  });

  it('ignores surrounding blanks and blanks before the unit', () => {
    assert.equal(parseDuration('  5s '), 5_000);
    assert.equal(parseDuration('5 s'), 5_000);
  });

  it('rounds to whole milliseconds', () => {
    assert.equal(parseDuration('0.0004'), 0);
    assert.equal(parseDuration('1.2345'), 1_235);
  });

  it('refuses anything else with null', () => {
    for (const text of [
      '',
      's',
      '-1',
      '-1s',
      '5x',
      '5 sec',
      '5S',
      '.5',
      '5.',
      '1e3',
      '1,5',
      '5s5',
      'five',
      'NaN',
      'Infinity',
      '5ms ms',
    ]) {
      assert.equal(parseDuration(text), null, JSON.stringify(text));
    }
  });
});

describe('formatDuration', { timeout: 30_000 }, () => {
  it('picks the largest unit that divides evenly', () => {
    assert.equal(formatDuration(500), '500ms');
    assert.equal(formatDuration(1_500), '1500ms');
    assert.equal(formatDuration(5_000), '5s');
    assert.equal(formatDuration(90_000), '90s');
    assert.equal(formatDuration(120_000), '2m');
    assert.equal(formatDuration(7_200_000), '2h');
  });

  it('formats zero as 0s', () => {
    assert.equal(formatDuration(0), '0s');
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [
      0, 1, 250, 999, 1_000, 1_500, 5_000, 59_000, 60_000, 61_000, 3_600_000, 5_400_000,
    ]) {
      assert.equal(parseDuration(formatDuration(ms)), ms, String(ms));
    }
  });
});
