import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { HealthcheckdError } from '../../src/errors.js';
import { asEpochMs, latestWallMs } from '../../src/util/clock.js';
import { parseFor, setDown, setUp } from '../../src/maintenance/operator.js';
import { flagReadLimit } from '../../src/maintenance/spool.js';
import type { ResolvedConfig } from '../../src/types.js';
import { binPath, runCli } from '../support/daemon.js';
import { openTempDir, readInChild, unprivileged } from './as-user.js';

const timeout = 30_000;
const tooFar =
  /^--for 99999999999h is too far in the future: the latest end a date can hold is \+275760-09-13T00:00:00\.000Z$/;

const usage = (message: RegExp) => (error: unknown) =>
  error instanceof HealthcheckdError && error.code === 'E_USAGE' && message.test(error.message);

describe('parseFor', { timeout }, () => {
  it('gives milliseconds for a duration whose end a date can hold', () => {
    assert.equal(parseFor('30m'), 1_800_000);
    assert.equal(parseFor('1s', latestWallMs - 1_000), 1_000);
  });

  it('refuses a malformed or zero --for', () => {
    for (const text of ['soon', '0', '1e3', '-1h', '']) {
      assert.throws(() => parseFor(text), usage(/^--for: expected a duration/), text);
    }
  });

  it('refuses a --for that no date can hold, naming --for and the latest end', () => {
    assert.throws(() => parseFor('99999999999h'), usage(tooFar));
    assert.throws(() => parseFor('2s', latestWallMs - 1_000), usage(/^--for 2s is too far/));
    assert.throws(() => parseFor(`${'9'.repeat(400)}h`), usage(/^--for 9{40}\.\.\. is too far/));
  });
});

describe('setDown and setUp', { timeout }, () => {
  let dir: ReturnType<typeof openTempDir>;
  let config: ResolvedConfig;
  let spool: string;
  beforeEach(() => {
    dir = openTempDir();
    spool = join(dir.path, 'spool');
    config = { checks: [], daemon: { spoolDir: spool } } as unknown as ResolvedConfig;
  });
  afterEach(() => dir.cleanup());

  it('refuses an end past the latest date and writes nothing', () => {
    const forMs = 99_999_999_999 * 3_600_000;
    assert.throws(() => setDown(config, { kind: 'all' }, { forMs }), usage(tooFar));
    assert.equal(existsSync(spool), false);
  });

  it('refuses a reason that would not fit in the 4 KiB a flag may hold', () => {
    const reason = 'x'.repeat(flagReadLimit);
    assert.throws(
      () => setDown(config, { kind: 'all' }, { reason }),
      usage(/^--reason is too long/),
    );
    assert.equal(existsSync(spool), false);
  });

  it('replaces a link at the flag path and removes one, never touching its target', () => {
    mkdirSync(spool);
    const target = join(dir.path, 'precious');
    writeFileSync(target, 'do not touch');
    symlinkSync(target, join(spool, 'all'));
    const { path, flag } = setDown(config, { kind: 'all' }, { reason: 'r', now: asEpochMs(1_000) });
    assert.equal(lstatSync(path).isFile(), true);
    assert.equal(flag.since, 1_000);
    symlinkSync(target, join(spool, 'check:db'));
    assert.equal(setUp(config, { kind: 'check', name: 'db' }), true);
    assert.equal(existsSync(join(spool, 'check:db')), false);
    assert.equal(readFileSync(target, 'utf8'), 'do not touch');
  });
});

describe('healthcheckd down and status from the command line', { timeout }, () => {
  let dir: ReturnType<typeof openTempDir>;
  let spool: string;
  let config: string;
  beforeEach(() => {
    dir = openTempDir();
    spool = join(dir.path, 'a', 'b', 'spool');
    config = join(dir.path, 'c.config');
    writeFileSync(config, `[healthcheckd]\nport = 1\nspool_dir = ${spool}\ncommand = true\n`);
  });
  afterEach(() => dir.cleanup());

  it('exits 2 naming --for when no date can hold its end, and writes no flag', async () => {
    const result = await runCli(['down', config, '--for', '99999999999h']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr.split('\n')[0] ?? '',
      /^healthcheckd: --for 99999999999h is too far/,
    );
    assert.equal(existsSync(spool), false);
  });

  it('under umask 077 leaves the spool and the flag readable by another user', () => {
    const down = spawnSync(
      'sh',
      ['-c', 'umask 077 && exec "$0" "$@"', process.execPath, binPath, 'down', config],
      { encoding: 'utf8', timeout: 20_000, env: { ...process.env, SUDO_USER: 'alice' } },
    );
    assert.equal(down.status, 0, down.stderr);
    for (const created of ['a', 'a/b', 'a/b/spool']) {
      assert.equal(statSync(join(dir.path, created)).mode & 0o777, 0o755, created);
    }
    assert.equal(statSync(join(spool, 'all')).mode & 0o777, 0o644);
    const how = unprivileged();
    if (typeof how === 'string') return;
    const reading = readInChild(spool, how);
    assert.equal(reading.flags[0]?.reason, 'alice');
    assert.equal(reading.flags[0]?.note, undefined);
  });

  it('keeps the mode of a spool directory that already exists', () => {
    mkdirSync(spool, { recursive: true, mode: 0o750 });
    const down = spawnSync(process.execPath, [binPath, 'down', config], { timeout: 20_000 });
    assert.equal(down.status, 0, String(down.stderr));
    assert.equal(statSync(spool).mode & 0o777, 0o750);
  });

  it('status prints a flag whose dates no Date can hold, and does not crash', async () => {
    mkdirSync(spool, { recursive: true });
    const far = '+275760-09-13T00:00:00.000Z';
    writeFileSync(join(spool, 'all'), JSON.stringify({ reason: 'far', since: far, until: far }));
    writeFileSync(
      join(spool, 'check:default'),
      JSON.stringify({ reason: 'beyond', since: '+275761-01-01T00:00:00Z', until: 'garbage' }),
    );
    const status = await runCli(['status', config]);
    assert.equal(status.code, 3, status.stderr);
    assert.doesNotMatch(status.stderr, /internal error|Invalid time value/);
    assert.match(status.stdout, /maintenance: all: "far" .* until \+275760-09-13T00:00:00\.000Z/);
    assert.match(status.stdout, /maintenance: check:default: "beyond" .* until `healthcheckd up`/);
  });
});
