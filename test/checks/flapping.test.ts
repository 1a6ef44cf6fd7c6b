import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextFlapping, percentStateChange } from '../../src/checks/flapping.js';
import type { Status } from '../../src/types.js';

/** `pfpf...`: p pass, w warn, f fail. */
function statuses(text: string): Status[] {
  const names: Record<string, Status> = { p: 'pass', w: 'warn', f: 'fail' };
  return [...text].map((char) => names[char] ?? assert.fail(`bad status ${char}`));
}

const close = (actual: number, expected: number): void =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`);

describe('percentStateChange (Nagios)', { timeout: 10_000 }, () => {
  it('is 0 without a change, and 0 for no or one result', () => {
    close(percentStateChange(statuses('ppppppppppppppppppppp')), 0);
    close(percentStateChange([]), 0);
    close(percentStateChange(statuses('f')), 0);
  });

  it('is 100 when every one of 21 results changes state (weights average 1)', () => {
    close(percentStateChange(statuses('pfpfpfpfpfpfpfpfpfpfp')), 100);
  });

  it('weighs the newest change 1.25 and the oldest 0.75, of 20 transitions', () => {
    close(percentStateChange(statuses('pppppppppppppppppppppf')), (1.25 * 100) / 20);
    close(percentStateChange(statuses('pfffffffffffffffffffff'.slice(1))), 0);
    close(percentStateChange(statuses('pffffffffffffffffffff')), (0.75 * 100) / 20);
  });

  it('counts warn as a state of its own: pass to warn to fail are two changes', () => {
    const twoChanges = percentStateChange(statuses('pppppppppppppppppppwf'));
    close(twoChanges, ((1.25 + (0.75 + (18 * 0.5) / 19)) * 100) / 20);
  });

  it('looks at the last 21 results only', () => {
    const old = statuses('pfpfpfpfpf');
    const calm = statuses('ppppppppppppppppppppp');
    close(percentStateChange([...old, ...calm]), 0);
  });

  it('counts the missing older results of a short history as unchanged', () => {
    close(percentStateChange(statuses('pf')), (1.25 * 100) / 20);
  });
});

describe('nextFlapping: hysteresis', { timeout: 10_000 }, () => {
  it('starts above the threshold, not at it', () => {
    assert.equal(nextFlapping(false, 20, 20), false);
    assert.equal(nextFlapping(false, 20.1, 20), true);
  });

  it('keeps flapping down to three quarters of the threshold, stops below', () => {
    assert.equal(nextFlapping(true, 19, 20), true);
    assert.equal(nextFlapping(true, 15, 20), true);
    assert.equal(nextFlapping(true, 14.9, 20), false);
  });
});
