import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWeight, weightFromCommand } from '../../src/agent/weight-command.js';
import { run } from '../support/checks.js';

describe('parseWeight', { timeout: 30_000 }, () => {
  it('reads a percentage with or without % and blanks', () => {
    assert.equal(parseWeight('73'), 73);
    assert.equal(parseWeight('73%'), 73);
    assert.equal(parseWeight(' 73 % '), 73);
    assert.equal(parseWeight('\t50\t'), 50);
    assert.equal(parseWeight('72.6'), 73);
  });

  it('clamps to 1-100', () => {
    assert.equal(parseWeight('0'), 1);
    assert.equal(parseWeight('0%'), 1);
    assert.equal(parseWeight('250'), 100);
    assert.equal(parseWeight('100'), 100);
  });

  it('gives null for anything else', () => {
    for (const text of [
      '',
      '  ',
      'abc',
      '-5',
      '73%%',
      '% 73',
      '7 3',
      '0x40',
      '73 percent',
      'NaN',
      '1e3',
    ]) {
      assert.equal(parseWeight(text), null, JSON.stringify(text));
    }
  });
});

describe('weightFromCommand', { timeout: 30_000 }, () => {
  it('reads the first non-empty line of a passing run', async () => {
    const reading = await weightFromCommand(async () => run({ output: '\n  42%\n99\n' }), 1);
    assert.deepEqual(reading, { weight: 42, problem: null });
  });

  it('never goes below min_weight', async () => {
    const reading = await weightFromCommand(async () => run({ output: '3\n' }), 10);
    assert.deepEqual(reading, { weight: 10, problem: null });
  });

  it('falls back to min_weight, saying why, when the command fails', async () => {
    const failed = run({ status: 'fail', exitCode: 3, output: 'no such metric\n' });
    const reading = await weightFromCommand(async () => failed, 10);
    assert.equal(reading.weight, 10);
    assert.equal(reading.problem, 'weight command failed (exit 3): no such metric');
    const timedOut = run({ status: 'fail', exitCode: null, timedOut: true });
    assert.equal(
      (await weightFromCommand(async () => timedOut, 5)).problem,
      'weight command failed (timed out)',
    );
  });

  it('does not take a warn run for a pass', async () => {
    const reading = await weightFromCommand(
      async () => run({ status: 'warn', exitCode: 1, output: '80' }),
      7,
    );
    assert.equal(reading.weight, 7);
    assert.match(reading.problem ?? '', /exit 1/);
  });

  it('falls back when the command prints nothing or garbage', async () => {
    const silent = await weightFromCommand(async () => run({ output: '\n \n' }), 4);
    assert.deepEqual(silent, { weight: 4, problem: 'weight command printed nothing' });
    const garbage = await weightFromCommand(async () => run({ output: 'load: high\n50\n' }), 4);
    assert.equal(garbage.weight, 4);
    assert.match(garbage.problem ?? '', /printed "load: high", expected a percentage/);
  });

  it('falls back when running rejects', async () => {
    const reading = await weightFromCommand(() => Promise.reject(new Error('boom')), 6);
    assert.equal(reading.weight, 6);
    assert.match(reading.problem ?? '', /could not run: Error: boom/);
  });
});
