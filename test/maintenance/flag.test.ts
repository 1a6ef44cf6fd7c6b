import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  covers,
  inForce,
  scopeOf,
  serializeFlag,
  shutdownFlag,
} from '../../src/maintenance/flag.js';
import { formatWallTime, isWallTime, latestWallMs } from '../../src/util/clock.js';
import { asEpochMs } from '../../src/util/clock.js';
import { maintenanceMember, scopeName } from '../../src/util/text.js';
import type { MaintenanceFlag } from '../../src/types.js';
import { flagFromText, plainReasonChars } from '../../src/maintenance/parse-flag.js';

const timeout = 30_000;
const now = asEpochMs(Date.parse('2026-11-23T17:00:00.000Z'));
const found = { scope: { kind: 'all' }, mtimeMs: now - 60_000, uid: 1000 } as const;
const flag: MaintenanceFlag = {
  scope: { kind: 'check', name: 'db' },
  reason: 'kernel upgrade',
  since: now,
  until: asEpochMs(now + 1_800_000),
  by: 'alice',
};

/** Every time of a flag is one a Date holds, and everything that formats it returns. */
function assertSafe(parsed: MaintenanceFlag): void {
  assert.ok(isWallTime(parsed.since), `since ${parsed.since}`);
  assert.ok(parsed.until === null || isWallTime(parsed.until), `until ${parsed.until}`);
  const member = maintenanceMember(parsed);
  assert.doesNotThrow(() => new Date(parsed.since).toISOString());
  assert.equal(member.since, new Date(parsed.since).toISOString());
  assert.doesNotThrow(() => serializeFlag(parsed));
}

describe('flag: scope, coverage, expiry', { timeout }, () => {
  it('names scopes as their spool files and reads them back', () => {
    assert.equal(scopeName({ kind: 'all' }), 'all');
    assert.equal(scopeName({ kind: 'check', name: '__proto__' }), 'check:__proto__');
    assert.deepEqual(scopeOf('check:__proto__'), { kind: 'check', name: '__proto__' });
    assert.deepEqual(scopeOf('all'), { kind: 'all' });
    for (const file of ['.all.1.tmp', 'check:', 'check:a/b', 'ALL', 'check:a b']) {
      assert.equal(scopeOf(file), null, file);
    }
  });

  it('covers an endpoint holding the check, or every endpoint for all', () => {
    assert.equal(covers(flag, ['web', 'db']), true);
    assert.equal(covers(flag, ['web']), false);
    assert.equal(covers({ ...flag, scope: { kind: 'all' } }, []), true);
  });

  it('is in force until its end, and always when open-ended', () => {
    assert.equal(inForce(flag, now + 1_799_999), true);
    assert.equal(inForce(flag, now + 1_800_000), false);
    assert.equal(inForce({ ...flag, until: null }, latestWallMs), true);
  });
});

describe('flag: times no Date can hold never make a formatter throw', { timeout }, () => {
  it('formats the Date range and describes what lies beyond it', () => {
    assert.equal(formatWallTime(latestWallMs), '+275760-09-13T00:00:00.000Z');
    assert.equal(formatWallTime(-latestWallMs), '-271821-04-20T00:00:00.000Z');
    assert.equal(formatWallTime(latestWallMs + 1), 'after +275760-09-13T00:00:00.000Z');
    assert.equal(formatWallTime(-Infinity), 'before -271821-04-20T00:00:00.000Z');
    assert.equal(formatWallTime(NaN), 'not a date');
  });

  it('gives the health+json member with scope, ISO times and the note', () => {
    assert.deepEqual(maintenanceMember({ ...flag, note: 'n' }), {
      scope: 'check:db',
      reason: 'kernel upgrade',
      since: '2026-11-23T17:00:00.000Z',
      until: '2026-11-23T17:30:00.000Z',
      by: 'alice',
      note: 'n',
    });
    const farOff = { ...flag, since: asEpochMs(1e20), until: asEpochMs(-1e20) };
    assert.equal(maintenanceMember(farOff).since, 'after +275760-09-13T00:00:00.000Z');
  });

  it('makes the shutdown flag open-ended when its end is past the latest date', () => {
    assert.deepEqual(shutdownFlag(now, 2_000), {
      scope: { kind: 'all' },
      reason: 'shutting down',
      since: now,
      until: now + 2_000,
      by: 'healthcheckd',
    });
    assert.equal(shutdownFlag(now, 99_999_999_999 * 3_600_000).until, null);
  });
});

describe('flagFromText: what a regular spool file says', { timeout }, () => {
  it('reads back what serializeFlag stores', () => {
    const scope = { kind: 'check', name: 'db' } as const;
    const parsed = flagFromText(serializeFlag(flag), { ...found, scope }, now);
    assert.deepEqual(parsed, flag);
  });

  it('keeps a flag whose dates no Date can hold, with a note, and open-ended', () => {
    const texts = [
      { since: '+275760-09-13T00:00:00.001Z', until: '+275761-01-01T00:00:00.000Z' },
      { since: 1e20, until: 'garbage' },
      { since: 'yesterday', until: -1e17 },
      { since: { nested: true }, until: [1] },
    ];
    for (const fields of texts) {
      const parsed = flagFromText(JSON.stringify({ reason: 'r', by: 'b', ...fields }), found, now);
      assertSafe(parsed);
      assert.equal(parsed.since, found.mtimeMs, JSON.stringify(fields));
      assert.equal(parsed.until, null, JSON.stringify(fields));
      assert.match(
        parsed.note ?? '',
        /^flag all: its since is not a date.*its until is not a date/,
      );
    }
  });

  it('accepts the edges of the Date range', () => {
    const text = JSON.stringify({ since: -latestWallMs, until: '+275760-09-13T00:00:00.000Z' });
    const parsed = flagFromText(text, found, now);
    assert.equal(parsed.since, -latestWallMs);
    assert.equal(parsed.until, latestWallMs);
    assert.equal(parsed.note, undefined);
    assertSafe(parsed);
  });

  it('shows the first line of plain text as reason, capped and without control characters', () => {
    const plain = flagFromText('\n  planned\u0007 outage \r\nsecond line\n', found, now);
    assert.equal(plain.reason, 'planned  outage');
    assert.equal(plain.by, 'uid 1000');
    assert.equal(plain.until, null);
    assert.match(plain.note ?? '', /not healthcheckd JSON; its first line is the reason/);
    const long = flagFromText(`${'é'.repeat(3000)}\n`, found, now);
    assert.equal([...long.reason].length, plainReasonChars);
  });

  it('reads JSON that is not an object as plain text, and an empty file as a flag', () => {
    assert.equal(flagFromText('"quoted"', found, now).reason, '"quoted"');
    assert.equal(flagFromText('[1,2]', found, now).reason, '[1,2]');
    const empty = flagFromText('', found, now);
    assert.equal(empty.reason, 'spool entry all is empty or blank, not healthcheckd JSON');
    assert.equal(empty.since, found.mtimeMs);
  });

  it('never throws and never yields a time a Date cannot hold, whatever the file says', () => {
    const value = fc.oneof(
      fc.anything(),
      fc.double(),
      fc.string(),
      fc.constantFrom('+275760-09-13T00:00:00.001Z', '-271821-04-19T23:59:59.999Z', 1e300),
    );
    const mtime = fc.oneof(fc.double(), fc.integer());
    fc.assert(
      fc.property(value, value, value, mtime, (since, until, reason, mtimeMs) => {
        const text = JSON.stringify({ since, until, reason, by: reason }) ?? '';
        assertSafe(flagFromText(text, { ...found, mtimeMs }, now));
      }),
      { numRuns: 500, interruptAfterTimeLimit: 20_000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 5000 }), mtime, (text, mtimeMs) => {
        assertSafe(flagFromText(text, { ...found, mtimeMs }, now));
      }),
      { numRuns: 300, interruptAfterTimeLimit: 20_000 },
    );
  });
});
