import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServingStatus } from '../../src/grpc/status.js';
import { createWatchers, type WatchCall } from '../../src/grpc/watchers.js';

/** A stream that takes `room` messages, then needs draining until `drain()` is called. */
function fakeCall(
  room: number,
): WatchCall & { sent: ServingStatus[]; ended: boolean; drain: () => void } {
  let onDrain: (() => void) | null = null;
  const call = {
    sent: [] as ServingStatus[],
    ended: false,
    get writableNeedDrain() {
      return call.sent.length >= room;
    },
    write(message: { status: ServingStatus }) {
      call.sent.push(message.status);
      return call.sent.length < room;
    },
    end() {
      call.ended = true;
    },
    once(_event: 'drain', listener: () => void) {
      onDrain = listener;
    },
    drain() {
      room = Infinity;
      const listener = onDrain;
      onDrain = null;
      listener?.();
    },
  };
  return call;
}

describe('grpc watchers', { timeout: 10_000 }, () => {
  it('sends the state at once, then only changes', { timeout: 5_000 }, () => {
    let state: ServingStatus = 'SERVING';
    const watchers = createWatchers(() => state);
    const call = fakeCall(Infinity);
    watchers.add('', call);
    watchers.refresh(() => state);
    state = 'NOT_SERVING';
    watchers.refresh(() => state);
    watchers.refresh(() => state);
    state = 'SERVING';
    watchers.refresh(() => state);
    assert.deepEqual(call.sent, ['SERVING', 'NOT_SERVING', 'SERVING']);
  });

  it('keeps only the newest status for a stream that is not read', { timeout: 5_000 }, () => {
    let state: ServingStatus = 'SERVING';
    const watchers = createWatchers(() => state);
    const stuck = fakeCall(1);
    const reading = fakeCall(Infinity);
    watchers.add('', stuck);
    watchers.add('', reading);
    for (let i = 0; i < 1_001; i += 1) {
      state = i % 2 === 0 ? 'NOT_SERVING' : 'SERVING';
      watchers.refresh(() => state);
    }
    assert.equal(stuck.sent.length, 1);
    assert.equal(reading.sent.length, 1_002);
    stuck.drain();
    assert.deepEqual(stuck.sent, ['SERVING', 'NOT_SERVING']);
  });

  it(
    'reads each service once per refresh, however many streams watch it',
    { timeout: 5_000 },
    () => {
      const watchers = createWatchers(() => 'SERVING');
      for (let i = 0; i < 100; i += 1) watchers.add(i % 2 === 0 ? '' : 'web', fakeCall(Infinity));
      const asked: string[] = [];
      watchers.refresh((service) => {
        asked.push(service);
        return 'NOT_SERVING';
      });
      assert.deepEqual(asked.sort(), ['', 'web']);
    },
  );

  it('ends every stream with the final status', { timeout: 5_000 }, () => {
    const watchers = createWatchers(() => 'SERVING');
    const calls = [fakeCall(Infinity), fakeCall(1)];
    const removes = calls.map((call) => watchers.add('', call));
    watchers.endAll('NOT_SERVING');
    for (const call of calls) {
      assert.deepEqual(call.sent, ['SERVING', 'NOT_SERVING']);
      assert.equal(call.ended, true);
    }
    assert.equal(watchers.size(), 0);
    for (const remove of removes) remove();
  });
});
