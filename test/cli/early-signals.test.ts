import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { handOverSignals, holdSignals } from '../../src/cli/early-signals.js';

const held = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** Listener counts now, to check that the early handlers come and go without a trace. */
const counts = (): number[] => held.map((signal) => process.listenerCount(signal));

/** Records exit codes instead of exiting. */
function exits() {
  const codes: number[] = [];
  return { codes, exit: (code: number) => void codes.push(code) };
}

// process.emit calls the listeners as a delivered signal would, without sending one.
const deliver = (signal: (typeof held)[number]): boolean => process.emit(signal, signal);

describe('early signals', { timeout: 30_000 }, () => {
  afterEach(() => handOverSignals());

  it('exits 128+n at once on SIGTERM or SIGINT while nothing is started', () => {
    const { codes, exit } = exits();
    holdSignals(exit);
    deliver('SIGTERM');
    deliver('SIGINT');
    assert.deepEqual(codes, [143, 130]);
  });

  it('lets the daemon keep a SIGHUP that came while it loaded: its config load covers it', () => {
    const { codes, exit } = exits();
    const before = counts();
    const early = holdSignals(exit);
    deliver('SIGHUP');
    early.dispatch(true);
    assert.deepEqual(codes, []);
    assert.deepEqual(
      counts(),
      before.map((count) => count + 1),
      'held until the daemon has its own handlers',
    );
    handOverSignals();
    assert.deepEqual(counts(), before, 'and gone once it does');
  });

  it('ends another command with 129 when a SIGHUP came while it loaded', () => {
    const { codes, exit } = exits();
    const early = holdSignals(exit);
    deliver('SIGHUP');
    early.dispatch(false);
    assert.deepEqual(codes, [129]);
  });

  it('gives another command the default dispositions back when no signal came', () => {
    const { codes, exit } = exits();
    const before = counts();
    const early = holdSignals(exit);
    early.dispatch(false);
    assert.deepEqual(codes, []);
    assert.deepEqual(counts(), before);
  });

  it('removes only its own handlers', () => {
    const other = (): void => undefined;
    const before = process.listenerCount('SIGHUP');
    process.on('SIGHUP', other);
    try {
      holdSignals(exits().exit);
      handOverSignals();
      assert.equal(process.listenerCount('SIGHUP'), before + 1);
      assert.ok(process.listeners('SIGHUP').includes(other));
    } finally {
      process.off('SIGHUP', other);
    }
  });
});
