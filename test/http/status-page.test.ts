import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, type PageInput } from '../../src/http/status-page.js';
import {
  formatAgo,
  formatClock,
  formatIn,
  formatMs,
  formatOutcome,
  formatSpan,
} from '../../src/http/status-page-format.js';
import type { CheckReport, RunResult } from '../../src/types.js';
import { asEpochMs, asMonotonicMs } from '../../src/util/clock.js';
import { check as baseCheck, run as baseRun } from '../support/checks.js';
import { card, renderPage } from '../support/status-page.js';

const now = Date.UTC(2026, 10, 23, 17, 0, 0);
const hostile = '<script>alert(1)</script>';

/** A run that passed 12 s before `now`. */
const run = (overrides: Partial<RunResult> = {}): RunResult =>
  baseRun({
    durationMs: 12.4,
    output: 'all good',
    endedAt: asMonotonicMs(now - 12_000),
    time: asEpochMs(now - 12_000),
    ...overrides,
  });

/** A passing check, in that state for 3 minutes. */
const check = (name: string, overrides: Partial<CheckReport> = {}): CheckReport =>
  baseCheck(name, 'pass', { since: asEpochMs(now - 3 * 60_000), last: run(), ...overrides });

const mixed: readonly CheckReport[] = [
  check('web'),
  check('replica', { status: 'warn', last: run({ status: 'warn', exitCode: 1 }) }),
  check('disk', { status: 'fail', critical: false, last: run({ status: 'fail', exitCode: 2 }) }),
  check('cache', { status: 'pending', last: null, since: asEpochMs(now - 2_000) }),
  check('queue', { status: 'fail', stale: true }),
];

function page(overrides: Partial<PageInput> = {}): string {
  return renderPage(mixed, now, overrides);
}

/** The text a person sees: tags, the stylesheet and the title removed, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<(style|title)>[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The card of one check, from `<li` to `</li>`. */

describe('renderStatusPage: states', { timeout: 30_000 }, () => {
  it('shows each check state as a word and a symbol, with its colour class', () => {
    const html = page();
    const expected: Array<[string, string, string]> = [
      ['web', 's-pass', '✔ PASS'],
      ['replica', 's-warn', '▲ WARN'],
      ['disk', 's-fail', '✖ FAIL'],
      ['cache', 's-pending', '○ PENDING'],
      ['queue', 's-stale', '◷ STALE'],
    ];
    for (const [name, css, words] of expected) {
      const item = card(html, name);
      assert.ok(item.startsWith(`class="check ${css}"`), `${name}: ${item.slice(0, 40)}`);
      const badge = /<span class="badge">(.*?)<\/span>\n/.exec(item)?.[1] ?? '';
      assert.equal(visibleText(badge), words);
    }
  });

  it('shows the overall state big at the top, with its word and symbol', () => {
    const cases: Array<[PageInput['status'], string, string]> = [
      ['pass', '✔ PASS', 'OK'],
      ['warn', '▲ WARN', 'WARN'],
      ['fail', '✖ FAIL', 'ERROR'],
      ['maintenance', '▮▮ MAINTENANCE', 'MAINTENANCE'],
    ];
    for (const [status, words, answer] of cases) {
      const html = page({ status });
      const top = /<p class="overall-state">(.*?)<\/p>/.exec(html)?.[1] ?? '';
      assert.equal(visibleText(top), words);
      assert.match(html, new RegExp(`<header class="overall s-${status}">`));
      // The plain answer's word, for keyword monitors that send a browser's Accept.
      assert.match(html, new RegExp(`<title>${answer} · web-1.example`));
      assert.match(html, new RegExp(`<h1>${answer} · web-1.example`));
    }
  });

  it('marks the symbols as decoration, so the word is what a screen reader reads', () => {
    const symbols = page().match(/<span class="sym"[^>]*>/g) ?? [];
    assert.ok(symbols.length >= 6);
    for (const tag of symbols) assert.match(tag, /aria-hidden="true"/);
  });

  it('names the host, the endpoint, the HTTP status and counts the states', () => {
    const text = visibleText(page({ title: 'group ready' }));
    assert.match(
      text,
      /web-1\.example group ready · HTTP 503 · 5 checks: 1 pass, 1 warn, 1 fail, 1 pending, 1 stale /,
    );
    assert.match(visibleText(page({ checks: [check('one')] })), /1 check: 1 pass/);
  });

  it('says whether each check is critical and what kind it is', () => {
    assert.match(visibleText(card(page(), 'web')), /critical · command/);
    assert.match(visibleText(card(page(), 'disk')), /non-critical · command/);
  });
});

describe('renderStatusPage: each check', { timeout: 30_000 }, () => {
  it('shows how long the state has lasted, when it last ran, its duration and exit code', () => {
    const text = visibleText(card(page(), 'replica'));
    assert.match(text, /WARN replica for 3 min /);
    assert.match(text, /Last run 12 s ago Duration 12 ms Result exit 1/);
    assert.match(card(page(), 'replica'), /<time datetime="2026-11-23T16:59:48.000Z"/);
  });

  it('shows a pending check as not run yet, without an output block', () => {
    const item = card(page(), 'cache');
    assert.match(
      visibleText(item),
      /PENDING cache for 2 s .*Last run not yet Duration — Result not run yet/,
    );
    assert.doesNotMatch(item, /<pre>/);
  });

  it('shows the output in a <pre>', () => {
    assert.match(card(page(), 'web'), /<pre>all good<\/pre>/);
  });

  it('leaves out the <pre> when the output is empty', () => {
    const html = page({ checks: [check('quiet', { last: run({ output: '' }) })] });
    assert.doesNotMatch(html, /<pre>/);
  });
});

describe('renderStatusPage: escaping', { timeout: 30_000 }, () => {
  it('escapes a hostile output and never lets it through raw', () => {
    const html = page({ checks: [check('evil', { last: run({ output: hostile }) })] });
    assert.match(html, /<pre>&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/pre>/);
    assert.ok(!html.includes('<script'), 'a raw <script> reached the page');
  });

  it('escapes every value: title, host name, reason, who set it', () => {
    const html = page({
      title: `group ${hostile}`,
      hostname: `"host'<b>`,
      status: 'maintenance',
      maintenance: { reason: hostile, since: now, until: null, by: '<img src=x onerror=alert(2)>' },
    });
    assert.ok(!html.includes('<script'));
    assert.ok(!html.includes('<img'));
    assert.ok(!html.includes('<b>'));
    assert.match(html, /<h1>MAINTENANCE · &quot;host&#39;&lt;b&gt;<\/h1>/);
    assert.match(html, /Maintenance: &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/h2>/);
    assert.match(html, /Set by &lt;img src=x onerror=alert\(2\)&gt; at/);
  });

  it('escapeHtml replaces & < > " and \' and nothing else', () => {
    assert.equal(escapeHtml(`a&b<c>d"e'f é`), 'a&amp;b&lt;c&gt;d&quot;e&#39;f é');
    assert.equal(escapeHtml('&lt;'), '&amp;lt;');
  });
});

describe('renderStatusPage: expose_output = false', { timeout: 30_000 }, () => {
  it('shows no output text at all, only a note that it is hidden', () => {
    const secret = 'password=hunter2 in the output';
    const checks = [check('leaky', { last: run({ output: secret }) })];
    assert.ok(page({ checks }).includes(secret), 'the test output must show when exposed');
    const html = page({ checks, exposeOutput: false });
    assert.ok(!html.includes('hunter2'));
    assert.doesNotMatch(html, /<pre>/);
    assert.match(visibleText(html), /Output hidden \(expose_output = false\)/);
  });
});

describe('renderStatusPage: maintenance', { timeout: 30_000 }, () => {
  const flag = {
    reason: 'kernel upgrade',
    since: now - 60_000,
    until: now + 29 * 60_000 + 30_000,
    by: 'alice',
  };

  it('shows a banner with the reason, who, since and until when', () => {
    const text = visibleText(page({ status: 'maintenance', statusCode: 503, maintenance: flag }));
    assert.match(text, /▮▮ Maintenance: kernel upgrade /);
    assert.match(text, /Set by alice at 2026-11-23 16:59:00 UTC \(1 min ago\)/);
    assert.match(text, /until 2026-11-23 17:29:30 UTC \(in 29 min\)\./);
    assert.match(text, /MAINTENANCE MAINTENANCE · web-1\.example all checks · HTTP 503/);
  });

  it('says until `healthcheckd up` when the flag has no end', () => {
    const html = page({ status: 'maintenance', maintenance: { ...flag, until: null } });
    assert.match(html, /until <code>healthcheckd up<\/code>\./);
  });

  it('shows no banner without a flag', () => {
    assert.doesNotMatch(page(), /class="banner"/);
    assert.doesNotMatch(visibleText(page()), /Maintenance:/);
  });
});

describe('renderStatusPage: a self-contained page', { timeout: 30_000 }, () => {
  it('refreshes itself every refreshSeconds', () => {
    assert.match(page({ refreshSeconds: 7 }), /<meta http-equiv="refresh" content="7">/);
    assert.match(page({ refreshSeconds: 0 }), /<meta http-equiv="refresh" content="1">/);
    assert.match(visibleText(page({ refreshSeconds: 7 })), /reloads every 7 s/);
  });

  it('is an English page sized for phones', () => {
    const html = page();
    assert.ok(html.startsWith('<!doctype html>\n<html lang="en">'));
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.match(html, /<meta charset="utf-8">/);
  });

  it('loads nothing from elsewhere: no external src/href, no script, link, import or url()', () => {
    const html = page({
      checks: [check('x', { last: run({ output: 'see https://example.com/x' }) })],
    });
    assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    assert.doesNotMatch(html, /<(script|link|img|iframe|object)\b/i);
    assert.doesNotMatch(html, /@import|url\(/i);
    const links = html.match(/\bhref="[^"]*"/g) ?? [];
    assert.deepEqual(links, ['href="?format=json"']);
  });
});

describe('status page formatting', { timeout: 30_000 }, () => {
  it('formats spans in s, min, h and d', () => {
    const cases: Array<[number, string]> = [
      [0, '0 s'],
      [-5_000, '0 s'],
      [999, '0 s'],
      [59_999, '59 s'],
      [60_000, '1 min'],
      [3 * 60_000 + 59_000, '3 min'],
      [3_600_000, '1 h'],
      [2 * 3_600_000 + 5 * 60_000, '2 h 5 min'],
      [86_400_000, '1 d'],
      [4 * 86_400_000 + 3 * 3_600_000 + 59 * 60_000, '4 d 3 h'],
    ];
    assert.deepEqual(
      cases.map(([ms]) => formatSpan(ms)),
      cases.map(([, text]) => text),
    );
  });

  it('formats moments relative to now', () => {
    assert.equal(formatAgo(now - 12_500, now), '12 s ago');
    assert.equal(formatAgo(now - 400, now), 'just now');
    assert.equal(formatAgo(now + 3_000, now), 'just now');
    assert.equal(formatIn(now + 29 * 60_000 + 59_000, now), 'in 29 min');
    assert.equal(formatIn(now - 1_000, now), 'in 0 s');
  });

  it('formats durations in ms and moments in UTC', () => {
    assert.equal(formatMs(0.84), '0.8 ms');
    assert.equal(formatMs(12.6), '13 ms');
    assert.equal(formatMs(5003.2), '5003 ms');
    assert.equal(formatClock(now + 17_250), '2026-11-23 17:00:17 UTC');
  });

  it('says how the last run ended', () => {
    const cases: Array<[CheckReport, string]> = [
      [check('a'), 'exit 0'],
      [check('a', { last: run({ exitCode: 2, status: 'fail' }) }), 'exit 2'],
      [
        check('a', { last: run({ exitCode: null, timedOut: true, signal: 'SIGTERM' }) }),
        'timed out',
      ],
      [check('a', { last: run({ exitCode: null, signal: 'SIGKILL' }) }), 'killed by SIGKILL'],
      [check('a', { last: run({ exitCode: null }) }), 'did not run'],
      [check('a', { kind: 'http', last: run({ exitCode: null, httpStatus: 503 }) }), 'HTTP 503'],
      [check('a', { kind: 'http', last: run({ exitCode: null }) }), 'no HTTP answer'],
      [check('a', { kind: 'tcp', last: run({ exitCode: null }) }), 'connected'],
      [check('a', { kind: 'tcp', last: run({ exitCode: null, status: 'fail' }) }), 'not connected'],
      [check('a', { last: null }), 'not run yet'],
    ];
    assert.deepEqual(
      cases.map(([report]) => formatOutcome(report)),
      cases.map(([, text]) => text),
    );
  });
});
