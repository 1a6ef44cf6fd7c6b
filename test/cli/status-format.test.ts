import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  daemonUrl,
  formatStatus,
  statusExitCode,
  type StatusReport,
} from '../../src/cli/status-client.js';
import type { ResolvedConfig } from '../../src/types.js';
import { asEpochMs } from '../../src/util/clock.js';

const now = asEpochMs(Date.UTC(2026, 5, 1, 12, 0, 0));
const url = 'http://127.0.0.1:9999/?format=json';

type Document = NonNullable<StatusReport['document']>;
type Flag = StatusReport['flags'][number];

function entry(status: 'pass' | 'warn' | 'fail', output = '', durationMs: number | null = 12) {
  return { status, durationMs, output };
}

/** A daemon's answer with these checks (pass unless told). */
function document(overrides: Partial<Document> = {}): Document {
  return {
    status: 'pass',
    maintenance: null,
    checks: new Map([
      ['web', entry('pass', 'HTTP 200\nok')],
      ['mysql-replica', entry('pass', 'lag 0s')],
    ]),
    ...overrides,
  };
}

function report(overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    flags: [],
    unlisted: null,
    url,
    document: document(),
    error: null,
    answered: true,
    ...overrides,
  };
}

const allFlag: Flag = {
  scope: { kind: 'all' },
  reason: 'kernel upgrade',
  since: asEpochMs(now - 60_000),
  until: asEpochMs(now + 30 * 60_000),
  by: 'alice',
};
const dbFlag: Flag = {
  scope: { kind: 'check', name: 'db' },
  reason: 'reindex',
  since: now,
  until: null,
  by: 'bob',
};

describe('statusExitCode', { timeout: 10_000 }, () => {
  it('follows Nagios: 0 pass, 1 warn, 2 fail, 3 when no daemon answers', () => {
    assert.equal(statusExitCode(report()), 0);
    assert.equal(statusExitCode(report({ document: document({ status: 'warn' }) })), 1);
    assert.equal(statusExitCode(report({ document: document({ status: 'fail' }) })), 2);
    assert.equal(statusExitCode(report({ document: null, error: 'ECONNREFUSED' })), 3);
  });

  it('says warn (1) for maintenance: a flag in the spool or in the answer, even over a fail', () => {
    assert.equal(statusExitCode(report({ flags: [dbFlag] })), 1);
    const drained = document({ status: 'fail', maintenance: { reason: 'kernel upgrade' } });
    assert.equal(statusExitCode(report({ document: drained })), 1);
    assert.equal(statusExitCode(report({ flags: [allFlag], document: drained })), 1);
  });

  it('says 3 when no daemon answers, whatever the flags', () => {
    assert.equal(statusExitCode(report({ flags: [allFlag], document: null, error: 'x' })), 3);
  });
});

describe('formatStatus', { timeout: 10_000 }, () => {
  it('prints no flag, the daemon state and one aligned line per check', () => {
    assert.equal(
      formatStatus(report(), now),
      [
        'maintenance: none',
        `daemon: PASS (${url})`,
        '  web            PASS     12 ms  HTTP 200',
        '  mysql-replica  PASS     12 ms  lag 0s',
        '',
      ].join('\n'),
    );
  });

  it('prints each flag: scope, reason, who, since and until, with the minutes left', () => {
    const text = formatStatus(report({ flags: [allFlag, dbFlag] }), now);
    const [all, db] = text.split('\n');
    assert.equal(
      all,
      'maintenance: all: "kernel upgrade" by alice since 2026-06-01T11:59:00.000Z ' +
        'until 2026-06-01T12:30:00.000Z (30 min left)',
    );
    assert.equal(
      db,
      'maintenance: check:db: "reindex" by bob since 2026-06-01T12:00:00.000Z until `healthcheckd up`',
    );
  });

  it("prints the daemon's maintenance reason instead of its status", () => {
    const drained = document({ status: 'fail', maintenance: { reason: 'kernel upgrade' } });
    const text = formatStatus(report({ flags: [allFlag], document: drained }), now);
    assert.match(
      text,
      /^daemon: MAINTENANCE: kernel upgrade \(http:\/\/127\.0\.0\.1:9999\/\?format=json\)$/m,
    );
  });

  it('prints a failing check with its first line of output, and - before any run', () => {
    const failing = document({
      status: 'fail',
      checks: new Map([
        ['db', entry('fail', '\n\nERROR 2002: cannot connect\nmore')],
        ['cache', entry('fail', '', null)],
      ]),
    });
    const lines = formatStatus(report({ document: failing }), now).split('\n');
    assert.equal(lines[1], `daemon: FAIL (${url})`);
    assert.equal(lines[2], '  db     FAIL     12 ms  ERROR 2002: cannot connect');
    assert.equal(lines[3], '  cache  FAIL         -');
  });

  it('says why no daemon answered', () => {
    const text = formatStatus(
      report({ document: null, error: 'connect ECONNREFUSED', answered: false }),
      now,
    );
    assert.equal(text, `maintenance: none\ndaemon: no answer from ${url} (connect ECONNREFUSED)\n`);
  });
});

describe('daemonUrl', { timeout: 10_000 }, () => {
  const url = (bind: string, port = 9999) =>
    daemonUrl({ daemon: { bind, port } } as unknown as ResolvedConfig);

  it('asks loopback when the daemon listens on every interface, the address otherwise', () => {
    assert.equal(url('0.0.0.0'), 'http://127.0.0.1:9999/?format=json');
    assert.equal(url('::'), 'http://[::1]:9999/?format=json');
    assert.equal(url('10.0.0.5', 8080), 'http://10.0.0.5:8080/?format=json');
    assert.equal(url('fe80::1'), 'http://[fe80::1]:9999/?format=json');
  });
});
