import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asMonotonicMs } from '../../src/util/clock.js';
import { createCheckSet, sameDefinition } from '../../src/checks/check-set.js';
import type { RunnerDeps } from '../../src/checks/runner.js';
import type { RunResult } from '../../src/types.js';
import { definition, result } from '../support/checks.js';
import { silentLogger } from '../support/logger.js';

function deps(): RunnerDeps & { ran: string[] } {
  const ran: string[] = [];
  return {
    ran,
    logger: silentLogger,
    now: () => asMonotonicMs(1_000),
    execute: (check): Promise<RunResult> => {
      ran.push(check.name);
      return Promise.resolve(result('pass', 1_000));
    },
  };
}

const names = (runners: readonly { definition: { name: string } }[] | undefined): string[] =>
  (runners ?? []).map((runner) => runner.definition.name);

describe('sameDefinition', { timeout: 30_000 }, () => {
  it('ignores where the definition was written', () => {
    const a = definition({ origin: { file: '/etc/a.config', line: 3 } });
    const b = definition({ origin: { file: '/etc/b.config', line: 9 } });
    assert.equal(sameDefinition(a, b), true);
  });

  it('tells apart definitions that differ in anything else', () => {
    const base = definition();
    assert.equal(sameDefinition(base, definition({ timeoutMs: 4_000 })), false);
    assert.equal(sameDefinition(base, definition({ target: 'false' })), false);
    assert.equal(sameDefinition(base, definition({ groups: ['ready'] })), false);
    assert.equal(sameDefinition(base, definition({ warnExitCodes: [1] })), false);
    assert.equal(
      sameDefinition(base, definition({ expectStatus: [{ from: 200, to: 299 }] })),
      false,
    );
  });
});

describe('createCheckSet', { timeout: 30_000 }, () => {
  const a = definition({ name: 'a', groups: ['ready', 'live'] });
  const b = definition({ name: 'b', groups: ['ready'] });
  const c = definition({ name: 'c' });

  it('holds every check in order, by name and by group', () => {
    const set = createCheckSet([a, b, c], deps());
    assert.deepEqual(names(set.all), ['a', 'b', 'c']);
    assert.deepEqual([...set.byName.keys()], ['a', 'b', 'c']);
    assert.equal(set.byName.get('b')?.definition, b);
    assert.deepEqual([...set.byGroup.keys()].sort(), ['live', 'ready']);
    assert.deepEqual(names(set.byGroup.get('ready')), ['a', 'b']);
    assert.deepEqual(names(set.byGroup.get('live')), ['a']);
    assert.equal(set.byGroup.get('c'), undefined);
  });

  it('shares one runner between its name and its groups', () => {
    const set = createCheckSet([a, b], deps());
    assert.equal(set.byGroup.get('ready')?.[0], set.byName.get('a'));
  });

  it('keeps the state of unchanged checks across a reload and resets changed ones', async () => {
    const first = deps();
    const before = createCheckSet([a, b, c], first);
    await Promise.all(before.all.map((runner) => runner.read({ bypassCache: false })));
    const kept = before.byName.get('a')!.snapshot().state;
    assert.equal(kept.status, 'pass');

    const moved = { ...a, origin: { file: '/etc/other.config', line: 40 } };
    const changed = { ...b, timeoutMs: 1_000 };
    const fresh = definition({ name: 'd' });
    const after = createCheckSet([moved, changed, fresh], deps(), before);

    assert.equal(after.byName.get('a')!.snapshot().state, kept);
    assert.equal(after.byName.get('a')!.definition, moved, 'the new definition is used');
    assert.equal(after.byName.get('b')!.snapshot().state.status, 'pending');
    assert.equal(after.byName.get('d')!.snapshot().state.status, 'pending');
    assert.equal(after.byName.has('c'), false);
  });

  it('start() and stop() reach every runner', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const probeDeps = deps();
    const set = createCheckSet(
      [definition({ name: 'x', intervalMs: 1_000 }), definition({ name: 'y', intervalMs: 1_000 })],
      { ...probeDeps, random: () => 0 },
    );
    set.start();
    assert.deepEqual(probeDeps.ran, ['x', 'y']);
    await new Promise((resolve) => setImmediate(resolve));
    set.stop();
    t.mock.timers.tick(5_000);
    assert.deepEqual(probeDeps.ran, ['x', 'y']);
  });
});
