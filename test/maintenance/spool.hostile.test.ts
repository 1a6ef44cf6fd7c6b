import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isWallTime } from '../../src/util/clock.js';
import type { MaintenanceFlag } from '../../src/types.js';
import { flagReadLimit, readSpoolFlags, spoolVersion } from '../../src/maintenance/spool.js';
import { requireProgram } from '../support/daemon.js';
import { openTempDir, readInChild, unprivileged, unprivilegedSkip } from './as-user.js';

const timeout = 30_000;
const secret = 'db_password=Hunter2-not-for-the-network';

/** The flags by scope name, for assertions. */
function byName(flags: readonly MaintenanceFlag[]): Map<string, MaintenanceFlag> {
  return new Map(
    flags.map((flag) => [flag.scope?.kind === 'check' ? `check:${flag.scope.name}` : 'all', flag]),
  );
}

/** A flag for an entry that is not a readable regular file: maintenance, a note, no content. */
function assertNoted(flag: MaintenanceFlag | undefined, note: RegExp): void {
  assert.ok(flag, 'the entry is a flag');
  assert.match(flag.note ?? '', note);
  assert.equal(flag.reason, flag.note);
  assert.equal(flag.until, null, 'in force until `healthcheckd up`');
  assert.ok(isWallTime(flag.since));
}

describe('readSpoolFlags: what is not a readable regular file', { timeout }, () => {
  let dir: ReturnType<typeof openTempDir>;
  let spool: string;
  beforeEach(() => {
    dir = openTempDir();
    spool = join(dir.path, 'spool');
    mkdirSync(spool, { mode: 0o755 });
  });
  afterEach(() => dir.cleanup());

  it(
    'reads a FIFO under a flag name without blocking: maintenance, with a note',
    {
      skip: requireProgram('mkfifo'),
    },
    () => {
      execFileSync('mkfifo', [join(spool, 'all'), join(spool, 'check:db')]);
      // In a child process: a blocking open would hang this test's own event loop.
      const reading = readInChild(spool);
      const flags = byName(reading.flags);
      assertNoted(flags.get('all'), /^spool entry all is a FIFO, not a flag$/);
      assertNoted(flags.get('check:db'), /^spool entry check:db is a FIFO, not a flag$/);
      assert.equal(reading.unlisted, null);
    },
  );

  it('never follows a symbolic link: none of the target is read, even a root-only file', () => {
    const target = join(dir.path, 'secret.conf');
    writeFileSync(target, `${secret}\n`, { mode: 0o600 });
    symlinkSync(target, join(spool, 'all'));
    symlinkSync('/dev/zero', join(spool, 'check:zero'));
    symlinkSync(join(dir.path, 'nowhere'), join(spool, 'check:dangling'));
    const reading = readInChild(spool);
    const flags = byName(reading.flags);
    assertNoted(flags.get('all'), /^spool entry all is a symbolic link, not a flag$/);
    assertNoted(flags.get('check:zero'), /is a symbolic link, not a flag$/);
    assertNoted(flags.get('check:dangling'), /is a symbolic link, not a flag$/);
    assert.doesNotMatch(JSON.stringify(reading), /Hunter2/);
  });

  it('treats a directory, a socket and a device under a flag name as maintenance, never opened', async () => {
    mkdirSync(join(spool, 'all'));
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(join(spool, 'check:sock'), resolve));
    const root = process.getuid?.() === 0;
    if (root) execFileSync('mknod', [join(spool, 'check:dev'), 'c', '1', '3']);
    try {
      const flags = byName(readInChild(spool).flags);
      assertNoted(flags.get('all'), /^spool entry all is a directory, not a flag$/);
      assertNoted(flags.get('check:sock'), /^spool entry check:sock is a socket, not a flag$/);
      if (root) assertNoted(flags.get('check:dev'), /is a character device, not a flag$/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reads at most 4 KiB: a larger file is maintenance with a note and none of its content', () => {
    writeFileSync(join(spool, 'all'), `${secret}\n${'x'.repeat(flagReadLimit)}`);
    const reason = 'r'.repeat(flagReadLimit - 100);
    const fits = `${JSON.stringify({ reason, since: '2026-01-01T00:00:00Z', until: null, by: 'a' })}`;
    assert.ok(Buffer.byteLength(fits) <= flagReadLimit);
    writeFileSync(join(spool, 'check:db'), fits);
    const flags = byName(readSpoolFlags(spool).flags);
    assertNoted(flags.get('all'), /^spool entry all is larger than 4096 bytes, not a flag$/);
    assert.doesNotMatch(JSON.stringify([...flags.values()]), /Hunter2/);
    assert.equal(flags.get('check:db')?.reason, reason);
    assert.equal(flags.get('check:db')?.note, undefined);
  });

  it('shows plain text as reason (hacheck), and ignores files that are not flag names', () => {
    writeFileSync(join(spool, 'all'), 'planned outage\nsecond line\n');
    writeFileSync(join(spool, '.all.123.abcd.tmp'), 'a temp file of down');
    writeFileSync(join(spool, 'README'), 'not a flag');
    const { flags } = readSpoolFlags(spool);
    assert.equal(flags.length, 1);
    assert.equal(flags[0]?.reason, 'planned outage');
  });

  it(
    'an unreadable flag file is maintenance with a note naming EACCES, and none of its content',
    {
      skip: unprivilegedSkip(),
    },
    () => {
      writeFileSync(join(spool, 'all'), `${secret}\n`, { mode: 0o000 });
      chmodSync(join(spool, 'all'), 0o000);
      const reading = readInChild(spool, unprivileged() as string[]);
      assertNoted(
        byName(reading.flags).get('all'),
        /^spool entry all cannot be read \(EACCES\), not a flag$/,
      );
      assert.doesNotMatch(JSON.stringify(reading), /Hunter2/);
    },
  );
});

describe('readSpoolFlags: the spool directory itself', { timeout }, () => {
  let dir: ReturnType<typeof openTempDir>;
  beforeEach(() => (dir = openTempDir()));
  afterEach(() => dir.cleanup());

  it(
    'a spool that exists but cannot be listed is maintenance for every check (fail closed)',
    {
      skip: unprivilegedSkip(),
    },
    () => {
      const spool = join(dir.path, 'spool');
      mkdirSync(spool);
      writeFileSync(join(spool, 'check:db'), '{"reason":"only db"}');
      // Search and write, no read: the reader may enter the spool but not list it.
      chmodSync(spool, 0o300);
      const reading = readInChild(spool, unprivileged() as string[]);
      assert.match(
        reading.unlisted ?? '',
        /^spool .*\/spool exists but cannot be listed \(EACCES\)/,
      );
      assert.equal(reading.flags.length, 1);
      const [flag] = reading.flags;
      assert.deepEqual(flag?.scope, { kind: 'all' });
      assert.equal(flag?.reason, 'spool cannot be listed (EACCES)');
      assert.equal(flag?.note, reading.unlisted);
      assert.equal(flag?.until, null);
    },
  );

  it(
    'a spool whose parent cannot be searched fails closed too',
    { skip: unprivilegedSkip() },
    () => {
      const parent = join(dir.path, 'locked');
      mkdirSync(join(parent, 'spool'), { recursive: true });
      chmodSync(parent, 0o600);
      const reading = readInChild(join(parent, 'spool'), unprivileged() as string[]);
      assert.match(reading.unlisted ?? '', /cannot be listed \(EACCES\)/);
      assert.equal(reading.flags.length, 1);
    },
  );

  it('a spool that does not exist holds no flag, also below a regular file', () => {
    assert.deepEqual(readSpoolFlags(join(dir.path, 'missing')), { flags: [], unlisted: null });
    writeFileSync(join(dir.path, 'file'), '');
    assert.deepEqual(readSpoolFlags(join(dir.path, 'file', 'spool')), {
      flags: [],
      unlisted: null,
    });
    assert.equal(spoolVersion(join(dir.path, 'file', 'spool')), -1n);
  });

  it('a regular file where the spool should be fails closed', () => {
    const spool = join(dir.path, 'spool');
    writeFileSync(spool, 'not a directory');
    const reading = readSpoolFlags(spool);
    assert.match(reading.unlisted ?? '', /cannot be listed \(ENOTDIR\)/);
    assert.deepEqual(reading.flags[0]?.scope, { kind: 'all' });
  });
});
