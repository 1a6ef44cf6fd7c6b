import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregate } from '../../src/checks/aggregate.js';

describe('aggregate', { timeout: 30_000 }, () => {
  it('fails with no check at all', () => {
    assert.equal(aggregate([]), 'fail');
  });

  it('passes when every check passes', () => {
    assert.equal(
      aggregate([
        { status: 'pass', critical: true },
        { status: 'pass', critical: false },
      ]),
      'pass',
    );
  });

  it('fails on a critical failure, even after a warning', () => {
    assert.equal(
      aggregate([
        { status: 'warn', critical: true },
        { status: 'pass', critical: true },
        { status: 'fail', critical: true },
      ]),
      'fail',
    );
  });

  it('only warns on a non-critical failure', () => {
    assert.equal(
      aggregate([
        { status: 'pass', critical: true },
        { status: 'fail', critical: false },
      ]),
      'warn',
    );
  });

  it('counts a critical pending check as a failure', () => {
    assert.equal(
      aggregate([
        { status: 'pass', critical: true },
        { status: 'pending', critical: true },
      ]),
      'fail',
    );
  });

  it('counts a non-critical pending check as a warning', () => {
    assert.equal(
      aggregate([
        { status: 'pass', critical: true },
        { status: 'pending', critical: false },
      ]),
      'warn',
    );
  });

  it('warns when a check warns', () => {
    assert.equal(
      aggregate([
        { status: 'pass', critical: true },
        { status: 'warn', critical: true },
      ]),
      'warn',
    );
    assert.equal(aggregate([{ status: 'warn', critical: false }]), 'warn');
  });

  it('fails on a critical failure that follows a non-critical one', () => {
    assert.equal(
      aggregate([
        { status: 'fail', critical: false },
        { status: 'fail', critical: true },
      ]),
      'fail',
    );
  });
});
