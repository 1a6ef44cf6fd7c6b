/**
 * installSignals, in process: it installs real listeners, and the test calls the ones it
 * installed (found by comparing process.listeners before and after), so that no signal reaches
 * the test runner's own handlers.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { installSignals, type SignalTargets } from '../../src/daemon/signals.js';
import { memoryLogger } from '../support/logger.js';
import { deferred } from '../support/wait.js';

type Signal = 'SIGTERM' | 'SIGINT' | 'SIGHUP';
const signals: readonly Signal[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

interface Installed {
  /** Calls the handler installSignals put on `signal`, as a delivered signal would. */
  readonly send: (signal: Signal) => void;
  readonly calls: { stop: number; reload: number; abort: number };
  readonly lines: () => Record<string, unknown>[];
  readonly uninstall: () => void;
}

const uninstalls: (() => void)[] = [];
afterEach(() => uninstalls.splice(0).forEach((uninstall) => uninstall()), { timeout: 10_000 });

function install(targets: Partial<Omit<SignalTargets, 'logger'>> = {}): Installed {
  const { logger, lines } = memoryLogger('debug');
  const calls = { stop: 0, reload: 0, abort: 0 };
  const before = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
  const uninstall = installSignals({
    stop: async () => {
      calls.stop += 1;
      await targets.stop?.();
    },
    reload: async () => {
      calls.reload += 1;
      await targets.reload?.();
    },
    abort: () => {
      calls.abort += 1;
      targets.abort?.();
    },
    logger,
  });
  uninstalls.push(uninstall);
  const handlers = new Map(
    signals.map((signal) => {
      const added = process.listeners(signal).filter((l) => !before.get(signal)?.includes(l));
      assert.equal(added.length, 1, `one ${signal} listener installed`);
      return [signal, added[0] as (signal: Signal) => void];
    }),
  );
  const send = (signal: Signal): void => handlers.get(signal)?.(signal);
  return { send, calls, lines, uninstall };
}

const messages = (installed: Installed): string[] =>
  installed.lines().map((line) => `${String(line.level)} ${String(line.msg)}`);

describe('installSignals: stop', { timeout: 30_000 }, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} stops gracefully, once, and logs it`, () => {
      const installed = install();
      installed.send(signal);
      assert.deepEqual(installed.calls, { stop: 1, reload: 0, abort: 0 });
      assert.deepEqual(messages(installed), [`30 ${signal}: stopping`]);
    });
  }

  it('a second SIGTERM or SIGINT while stopping aborts, and never stops twice', () => {
    const installed = install({ stop: () => new Promise<void>(() => undefined) });
    installed.send('SIGTERM');
    installed.send('SIGINT');
    installed.send('SIGTERM');
    assert.deepEqual(installed.calls, { stop: 1, reload: 0, abort: 2 });
  });

  it('logs a stop that fails, at error, without an unhandled rejection', async () => {
    const installed = install({ stop: () => Promise.reject(new Error('close failed')) });
    installed.send('SIGTERM');
    await tick();
    await tick();
    const failed = installed.lines().find((line) => line.msg === 'stop failed');
    assert.equal(failed?.level, 50);
    assert.equal((failed?.err as { message?: string } | undefined)?.message, 'close failed');
  });

  it('ignores SIGHUP once stopping', async () => {
    const installed = install({ stop: () => new Promise<void>(() => undefined) });
    installed.send('SIGTERM');
    installed.send('SIGHUP');
    await tick();
    assert.equal(installed.calls.reload, 0);
  });
});

describe('installSignals: reload', { timeout: 30_000 }, () => {
  it('SIGHUP asks for a reload and logs it at debug', async () => {
    const installed = install();
    installed.send('SIGHUP');
    await tick();
    assert.equal(installed.calls.reload, 1);
    assert.deepEqual(
      installed.lines().map((line) => `${line.level} ${line.msg}`),
      ['20 SIGHUP: reload asked'],
    );
  });

  it('hands every SIGHUP to the reload target, which serialises them (src/daemon/reload.ts)', async () => {
    const first = deferred<void>();
    const installed = install({ reload: () => first.promise });
    installed.send('SIGHUP');
    installed.send('SIGHUP');
    installed.send('SIGHUP');
    await tick();
    assert.equal(installed.calls.reload, 3, 'merging is the reload queue job, tested there');
    first.resolve();
  });

  it('logs a reload that fails and keeps answering SIGHUP', async () => {
    let fail = true;
    const installed = install({
      reload: () => (fail ? Promise.reject(new Error('bad config')) : Promise.resolve()),
    });
    installed.send('SIGHUP');
    await tick();
    await tick();
    const failed = installed.lines().find((line) => line.level === 50);
    assert.equal(failed?.msg, 'reload failed; keeping the running config');
    fail = false;
    installed.send('SIGHUP');
    await tick();
    assert.equal(installed.calls.reload, 2);
  });
});

describe('installSignals: uninstall', { timeout: 30_000 }, () => {
  it('removes the three listeners it added, and only those', () => {
    const counts = (): number[] => signals.map((signal) => process.listenerCount(signal));
    const before = counts();
    const { uninstall } = install();
    assert.deepEqual(
      counts(),
      before.map((count) => count + 1),
    );
    uninstall();
    assert.deepEqual(counts(), before);
  });
});
