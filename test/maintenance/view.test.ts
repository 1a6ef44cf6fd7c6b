import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { latestWallMs } from '../../src/util/clock.js';
import { createMaintenanceView } from '../../src/maintenance/view.js';
import { asEpochMs, asMonotonicMs } from '../../src/util/clock.js';
import { memoryLogger } from '../support/checks.js';
import { maintenanceModule, openTempDir, unprivileged, unprivilegedSkip } from './as-user.js';

const timeout = 30_000;

describe('maintenance view', { timeout }, () => {
  let dir: ReturnType<typeof openTempDir>;
  let spool: string;
  let clock: number;
  beforeEach(() => {
    dir = openTempDir();
    spool = join(dir.path, 'spool');
    mkdirSync(spool);
    clock = Date.parse('2026-11-23T17:00:00.000Z');
  });
  afterEach(() => dir.cleanup());

  /** Polls `times` times, each after the re-read interval, so every poll reads the spool. */
  const pollAfterRereads = (view: { poll: () => void }, times: number): void => {
    for (let i = 0; i < times; i += 1) {
      clock += 6_000;
      view.poll();
    }
  };

  it('logs maintenance on once however often it reads the spool, and off once', () => {
    const { logger, lines } = memoryLogger();
    const view = createMaintenanceView(
      spool,
      logger,
      () => asEpochMs(clock),
      () => asMonotonicMs(clock),
    );
    writeFileSync(join(spool, 'check:db'), JSON.stringify({ reason: 'reindex', by: 'alice' }));
    pollAfterRereads(view, 5);
    assert.equal(view.affecting(['web', 'db'])?.reason, 'reindex');
    assert.equal(view.affecting(['web']), null);
    rmSync(join(spool, 'check:db'));
    pollAfterRereads(view, 5);
    assert.equal(view.affecting(['db']), null);
    const messages = lines().map((line) => line.msg);
    assert.deepEqual(messages, ['maintenance on: check:db (reindex)', 'maintenance off']);
    const on = lines()[0] as { flags: { scope: string; since: string }[]; previously: string };
    assert.equal(on.flags[0]?.scope, 'check:db');
    assert.equal(on.previously, 'none');
  });

  it('answers and logs a flag that ends at the latest date, and drops an expired one', () => {
    const { logger, lines } = memoryLogger();
    const view = createMaintenanceView(
      spool,
      logger,
      () => asEpochMs(clock),
      () => asMonotonicMs(clock),
    );
    const farOff = new Date(latestWallMs).toISOString();
    writeFileSync(join(spool, 'all'), JSON.stringify({ since: farOff, until: farOff }));
    const ended = new Date(clock - 1).toISOString();
    writeFileSync(join(spool, 'check:db'), JSON.stringify({ until: ended }));
    pollAfterRereads(view, 1);
    assert.deepEqual(
      view.active().map((flag) => flag.until),
      [latestWallMs],
    );
    assert.match(String(lines()[0]?.msg), /^maintenance on: all/);
  });

  it('names what it found for an entry that is not a flag, once', () => {
    const { logger, lines } = memoryLogger();
    const view = createMaintenanceView(
      spool,
      logger,
      () => asEpochMs(clock),
      () => asMonotonicMs(clock),
    );
    mkdirSync(join(spool, 'all'));
    pollAfterRereads(view, 3);
    assert.equal(view.affecting([])?.reason, 'spool entry all is a directory, not a flag');
    assert.equal(lines().length, 1);
  });
});

/** Runs a view in a child process (as an unprivileged user), polling when told on stdin. */
const viewScript = `
const [url, dir] = process.argv.slice(1);
const { createMaintenanceView } = await import(url);
const lines = [];
const log = (level) => (fields, msg) => lines.push({ level, msg });
const logger = { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug') };
let clock = Date.now();
const view = createMaintenanceView(dir, logger, () => clock, () => clock);
const { createInterface } = await import('node:readline');
for await (const line of createInterface({ input: process.stdin })) {
  const times = Math.min(Number(line) || 0, 100);
  if (times === 0) break;
  for (let i = 0; i < times; i += 1) { clock += 6000; view.poll(); }
  const active = view.active().map((flag) => flag.reason);
  process.stdout.write(JSON.stringify({ lines, active }) + '\\n');
}
`;

interface ViewState {
  readonly lines: { level: string; msg: string }[];
  readonly active: string[];
}

describe('maintenance view: a spool that cannot be listed', { timeout }, () => {
  it(
    'is maintenance for every check, logged once, and its recovery logged once',
    {
      skip: unprivilegedSkip(),
    },
    async () => {
      const dir = openTempDir();
      const spool = join(dir.path, 'spool');
      mkdirSync(spool);
      writeFileSync(join(spool, 'check:db'), JSON.stringify({ reason: 'only db' }));
      chmodSync(spool, 0o300);
      const prefix = unprivileged() as string[];
      const argv = [...prefix, process.execPath, '--input-type=module', '-e', viewScript];
      const child = spawn(
        argv[0] ?? '',
        [...argv.slice(1), pathToFileURL(maintenanceModule('view.js')).href, spool],
        {
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      );
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const ask = async (polls: number): Promise<ViewState> => {
        child.stdin.write(`${polls}\n`);
        const next = await answers.next();
        assert.equal(next.done, false, 'the view process answered');
        return JSON.parse(String(next.value)) as ViewState;
      };
      try {
        const locked = await ask(5);
        assert.deepEqual(locked.active, ['spool cannot be listed (EACCES)']);
        const errors = locked.lines.filter((line) => line.level === 'error');
        assert.equal(errors.length, 1, JSON.stringify(locked.lines));
        assert.match(errors[0]?.msg ?? '', /spool .* exists but cannot be listed \(EACCES\)/);
        chmodSync(spool, 0o755);
        const open = await ask(5);
        assert.deepEqual(open.active, ['only db']);
        const recovered = open.lines.filter((line) => /can be listed again/.test(line.msg));
        assert.equal(recovered.length, 1, JSON.stringify(open.lines));
        assert.equal(open.lines.filter((line) => line.level === 'error').length, 1);
      } finally {
        child.stdin.end('0\n');
        clearTimeout(killer);
        dir.cleanup();
      }
    },
  );
});
