import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notPassingFirst, type PageInput } from '../../src/http/status-page.js';
import type { CheckReport, HistoryResult, StateChange, Status } from '../../src/types.js';
import { asEpochMs } from '../../src/util/clock.js';
import { check as baseCheck } from '../support/checks.js';
import { card, renderPage } from '../support/status-page.js';

const now = Date.UTC(2026, 10, 29, 3, 30, 0);
const hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';

const past = (status: Status, minutesAgo: number, output = `${status} output`): HistoryResult => ({
  status,
  time: asEpochMs(now - minutesAgo * 60_000),
  durationMs: 12,
  exitCode: status === 'pass' ? 0 : 2,
  httpStatus: null,
  signal: null,
  timedOut: false,
  output,
});

const change = (
  from: Status | 'pending',
  to: Status,
  minutesAgo: number,
  output = '',
): StateChange => ({
  from,
  to,
  time: asEpochMs(now - minutesAgo * 60_000),
  output,
});

const check = (name: string, status: Status | 'pending', overrides: Partial<CheckReport> = {}) =>
  baseCheck(name, status, { since: asEpochMs(now - 60_000), ...overrides });

function page(checks: readonly CheckReport[], overrides: Partial<PageInput> = {}): string {
  return renderPage(checks, now, overrides);
}

/** The card of one check, from `<li class="check` to its `</li>` at the end of a line. */

const cellsOf = (html: string): string[] => html.match(/<span class="cell [^>]*><\/span>/g) ?? [];

describe('status page: the strip of recent results', { timeout: 10_000 }, () => {
  const history = [past('pass', 20), past('warn', 10), past('fail', 3, 'connection refused')];

  it('draws one cell per result, oldest first, coloured by its state', () => {
    const cells = cellsOf(card(page([check('db', 'fail', { history })]), 'db'));
    assert.deepEqual(
      cells.map((cell) => /class="cell (s-\w+)"/.exec(cell)?.[1]),
      ['s-pass', 's-warn', 's-fail'],
    );
  });

  it('gives each cell a tooltip: time, state, duration, outcome and first line', () => {
    const [, , last] = cellsOf(page([check('db', 'fail', { history })]));
    assert.match(
      last ?? '',
      /title="2026-11-29 03:27:00 UTC · FAIL · 12 ms · exit 2 · connection refused"/,
    );
  });

  it('reads as counts to a screen reader', () => {
    const html = page([check('db', 'fail', { history })]);
    assert.match(
      html,
      /role="img" aria-label="Last 3 results, oldest first: 1 pass, 1 warn, 1 fail"/,
    );
  });

  it('is left out for a check without results', () => {
    assert.doesNotMatch(page([check('new', 'pending', { last: null })]), /class="strip"/);
  });

  it('escapes a hostile first line in the tooltip, and leaves it out with expose_output = false', () => {
    const evil = check('evil', 'fail', { history: [past('fail', 1, hostile)] });
    const html = page([evil]);
    assert.ok(!html.includes('<script') && !html.includes('<img'), 'raw markup reached the page');
    assert.match(html, /· &lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;&gt;&lt;img/);
    assert.doesNotMatch(page([evil], { exposeOutput: false }), /alert/);
  });
});

describe('status page: recent state changes', { timeout: 10_000 }, () => {
  const changes = [
    change('pending', 'pass', 30, 'ok'),
    change('pass', 'fail', 18, 'connection refused\nport 5432'),
    change('fail', 'pass', 2, 'ok again'),
  ];

  it('lists them newest first: when, from and to, and the output behind each', () => {
    const html = card(page([check('db', 'pass', { changes })]), 'db');
    const items = (html.split('<section class="changes"')[1] ?? '').split('<li>').slice(1);
    assert.equal(items.length, 3);
    assert.match(items[0] ?? '', /03:28:00 UTC.*\(2 min ago\)/);
    assert.match(items[0] ?? '', />FAIL<\/span> → <span class="word s-pass">PASS</);
    assert.match(items[1] ?? '', /<pre>connection refused\nport 5432<\/pre>/);
    assert.match(items[2] ?? '', />PENDING<\/span> → <span class="word s-pass">PASS</);
  });

  it('shows the most recent `changesShown`, and links to the check page for the rest', () => {
    const many = Array.from({ length: 12 }, (_, i) =>
      change(i % 2 ? 'fail' : 'pass', i % 2 ? 'pass' : 'fail', 60 - i),
    );
    const html = card(page([check('db', 'pass', { changes: many })]), 'db');
    assert.equal(html.split('<section class="changes"')[1]?.split('<li>').length, 6);
    assert.match(html, /7 earlier on <a href="\/check\/db">the page of db<\/a>/);
    const single = card(page([check('db', 'pass', { changes: many })], { changesShown: 20 }), 'db');
    assert.equal(single.split('<section class="changes"')[1]?.split('<li>').length, 13);
    assert.doesNotMatch(single, /earlier on/);
  });

  it('escapes a hostile output and hides every output with expose_output = false', () => {
    const evil = check('evil', 'fail', { changes: [change('pass', 'fail', 1, hostile)] });
    const html = page([evil]);
    assert.ok(!html.includes('<script') && !html.includes('<img'));
    assert.match(html, /<pre>&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    const hidden = page([evil], { exposeOutput: false });
    assert.doesNotMatch(hidden, /alert/);
    assert.match(hidden, /PASS<\/span> → <span class="word s-fail">FAIL/);
  });
});

describe('status page: flapping', { timeout: 10_000 }, () => {
  const flap = { percent: 42.5, flapping: true, thresholdPercent: 20, stopBelowPercent: 15 };

  it('marks a flapping check with a badge and says its percent state change', () => {
    const html = card(page([check('db', 'fail', { flap })]), 'db');
    assert.match(
      html,
      /<span class="badge flapping"><span class="sym" aria-hidden="true">↯<\/span> FLAPPING<\/span>/,
    );
    assert.match(html, /over the last 21 results: 42\.5% \(flapping: stops below 15%\)/);
  });

  it('says the measure without a badge when it does not flap, nothing without flap_threshold', () => {
    const calm = card(
      page([check('db', 'pass', { flap: { ...flap, flapping: false, percent: 5 } })]),
      'db',
    );
    assert.doesNotMatch(calm, /FLAPPING/);
    assert.match(calm, /5% \(flaps above 20%\)/);
    assert.doesNotMatch(card(page([check('db', 'pass')]), 'db'), /State change over/);
  });
});

describe('status page: maintenance per check and order', { timeout: 10_000 }, () => {
  it('marks each check under a flag with a badge and the flag', () => {
    const flags = new Map([['db', { scope: 'check:db', reason: `failover ${hostile}` }]]);
    const html = page([check('db', 'pass'), check('web', 'pass')], {
      flags,
      status: 'maintenance',
    });
    const db = card(html, 'db');
    assert.match(db, /<span class="badge s-maintenance" title="check:db: failover &lt;script&gt;/);
    assert.match(db, /Under the maintenance flag <code>check:db<\/code>: failover &lt;script&gt;/);
    assert.doesNotMatch(card(html, 'web'), /MAINTENANCE/);
    assert.ok(!html.includes('<script'));
  });

  it('lists the checks that are not passing first, in their order, then the passing ones', () => {
    const checks = [
      check('a', 'pass'),
      check('b', 'fail'),
      check('c', 'pass'),
      check('d', 'warn'),
      check('e', 'pending', { last: null }),
      check('f', 'pass', { stale: true }),
    ];
    assert.deepEqual(
      notPassingFirst(checks).map((item) => item.name),
      ['b', 'd', 'e', 'f', 'a', 'c'],
    );
    const order = [...page(checks).matchAll(/<h2>(\w)<\/h2>/g)].map((match) => match[1]);
    assert.deepEqual(order, ['b', 'd', 'e', 'f', 'a', 'c']);
  });

  it('links only to pages of this daemon', () => {
    const many = Array.from({ length: 8 }, (_, i) => change('pass', 'fail', 60 - i));
    const html = page([check('db', 'pass', { changes: many })]);
    const links = html.match(/\bhref="[^"]*"/g) ?? [];
    assert.deepEqual(links, ['href="/check/db"', 'href="?format=json"']);
  });
});
