/**
 * The daemon's view of the maintenance spool, through its public API only: flags are written as
 * an operator's `healthcheckd down` leaves them (JSON files `all` and `check:<name>`).
 */
import { asEpochMs, asMonotonicMs, type EpochMs, type MonotonicMs } from '../../src/util/clock.js';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createMaintenanceView, statEveryMs } from '../../src/maintenance/view.js';
import { memoryLogger, silentLogger } from '../support/logger.js';
import { tempDir } from '../support/paths.js';

const hour = 3_600_000;
const start = Date.UTC(2026, 0, 1, 12);

/** Writes a flag file as `healthcheckd down` does. */
function setFlag(spool: string, file: string, flag: { reason: string; until?: number }): void {
  mkdirSync(spool, { recursive: true });
  const until = flag.until === undefined ? null : new Date(flag.until).toISOString();
  const content = { reason: flag.reason, since: new Date(start).toISOString(), until, by: 'ops' };
  writeFileSync(join(spool, file), `${JSON.stringify(content)}\n`);
}

describe('createMaintenanceView', { timeout: 30_000 }, () => {
  let spool: string;
  let cleanup: () => void;
  let time: number;
  const now = (): EpochMs => asEpochMs(time);
  const elapsed = (): MonotonicMs => asMonotonicMs(time);
  beforeEach(() => {
    const dir = tempDir('hcd-view-');
    ({ cleanup } = dir);
    spool = join(dir.path, 'spool');
    time = start;
  });
  afterEach(() => cleanup());

  it('finds nothing in a spool that does not exist', () => {
    const view = createMaintenanceView(spool, silentLogger, now, elapsed);
    assert.equal(view.affecting(['db']), null);
    assert.deepEqual(view.active(), []);
  });

  it('puts every endpoint in maintenance under `all`', () => {
    setFlag(spool, 'all', { reason: 'kernel upgrade' });
    const view = createMaintenanceView(spool, silentLogger, now, elapsed);
    assert.equal(view.affecting(['web'])?.reason, 'kernel upgrade');
    assert.equal(view.affecting([])?.reason, 'kernel upgrade');
    assert.equal(view.active().length, 1);
  });

  it('puts only the endpoints holding the check in maintenance under `check:<name>`', () => {
    setFlag(spool, 'check:db', { reason: 'reindex' });
    const view = createMaintenanceView(spool, silentLogger, now, elapsed);
    assert.equal(view.affecting(['web', 'db'])?.reason, 'reindex');
    assert.equal(view.affecting(['db'])?.reason, 'reindex');
    assert.equal(view.affecting(['web']), null);
  });

  it('judges the end of a flag at question time', () => {
    setFlag(spool, 'all', { reason: 'short', until: start + hour });
    const view = createMaintenanceView(spool, silentLogger, now, elapsed);
    assert.equal(view.affecting(['db'])?.until, start + hour);
    time = start + hour;
    assert.equal(view.affecting(['db']), null, 'an expired flag counts as absent');
  });

  it('sees a new flag statEveryMs later, and a removed one', () => {
    const view = createMaintenanceView(spool, silentLogger, now, elapsed);
    assert.equal(view.affecting(['db']), null);
    setFlag(spool, 'all', { reason: 'late' });
    time += statEveryMs;
    assert.equal(view.affecting(['db'])?.reason, 'late');
    rmSync(join(spool, 'all'));
    time += 60_000;
    assert.equal(view.affecting(['db']), null, 'a minute later, the flag is gone');
  });

  it('logs a change of the flags in force once, at warn on and info off', () => {
    const { logger, lines } = memoryLogger('info');
    const view = createMaintenanceView(spool, logger, now, elapsed);
    view.poll();
    setFlag(spool, 'all', { reason: 'deploy' });
    view.poll();
    view.poll();
    view.affecting(['db']);
    rmSync(join(spool, 'all'));
    view.poll();
    assert.deepEqual(
      lines().map(({ level, msg }) => [level, msg]),
      [
        [40, 'maintenance on: all (deploy)'],
        [30, 'maintenance off'],
      ],
    );
  });
});
