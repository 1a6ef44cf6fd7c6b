import type { CheckReport, Status } from '../types.js';
import {
  formatAgo,
  formatClock,
  formatIn,
  formatMs,
  formatOutcome,
  formatSpan,
} from './status-page-format.js';
import { statusPageStyle } from './status-page-style.js';
import { escapeHtml, raw, safeHtml, type Markup } from './html.js';
import { changeList, resultStrip } from './status-page-history.js';
import { looks, symbol, time, type PageState } from './status-page-looks.js';

export { escapeHtml };

/** Everything the status page shows. */
export interface PageInput {
  /** What the page is about: `all checks`, `group ready`, `check db`. */
  readonly title: string;
  readonly hostname: string;
  /** The endpoint's answer: maintenance when a flag covers it. */
  readonly status: Status | 'maintenance';
  readonly statusCode: number;
  readonly checks: readonly CheckReport[];
  readonly maintenance: {
    readonly reason: string;
    readonly since: number;
    readonly until: number | null;
    readonly by: string;
  } | null;
  readonly exposeOutput: boolean;
  readonly now: number;
  readonly refreshSeconds: number;
  /** The checks under a maintenance flag, by name: the flag's scope (`all`, `check:db`) and reason. */
  readonly flags: ReadonlyMap<string, { readonly scope: string; readonly reason: string }>;
  /** How many state changes each card lists (the most recent); all of them on a check's own page. */
  readonly changesShown: number;
}

/**
 * The plain answer's word (the text body: `OK`, `WARN`, `ERROR`, `MAINTENANCE`), which the
 * page's title and first heading carry so that keyword monitors sending a browser's Accept
 * find the same word as with `curl`.
 */
const answerWords: Readonly<Record<Status | 'maintenance', string>> = {
  pass: 'OK',
  warn: 'WARN',
  fail: 'ERROR',
  maintenance: 'MAINTENANCE',
};

/** Renders the self-contained HTML status page. */
export function renderStatusPage(input: PageInput): string {
  const refresh = Math.max(1, Math.round(input.refreshSeconds));
  return safeHtml`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${refresh}">
<title>${answerWords[input.status]} · ${input.hostname} · ${input.title} · healthcheckd</title>
<style>${raw(statusPageStyle)}</style>
</head>
<body>
${header(input)}
<main class="wrap">
${input.maintenance ? banner(input.maintenance, input.now) : []}
<ul class="checks">
${notPassingFirst(input.checks).map((check) => checkCard(check, input))}
</ul>
</main>
${footer(input, refresh)}
</body>
</html>
`.markup;
}

/** The overall state, big, with the host, the endpoint and the HTTP status. */
function header(input: PageInput): Markup {
  const look = looks[input.status];
  return safeHtml`<header class="overall s-${input.status}"><div class="wrap">
<p class="overall-state">${symbol(look.symbol)} ${look.word}</p>
<h1>${answerWords[input.status]} · ${input.hostname}</h1>
<p class="meta">${input.title} · HTTP ${input.statusCode} · ${summary(input.checks)}</p>
</div></header>`;
}

/** `4 checks: 2 pass, 1 warn, 1 fail`. */
function summary(checks: readonly CheckReport[]): string {
  const counts = new Map<string, number>();
  for (const check of checks) {
    const word = looks[stateOf(check)].word.toLowerCase();
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const parts = [...counts].map(([word, count]) => `${count} ${word}`);
  const noun = checks.length === 1 ? 'check' : 'checks';
  return `${checks.length} ${noun}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/** The checks that are not passing (warn, fail, pending, stale) first; the order kept otherwise. */
export function notPassingFirst(checks: readonly CheckReport[]): CheckReport[] {
  const passing = checks.filter((check) => stateOf(check) === 'pass');
  return [...checks.filter((check) => stateOf(check) !== 'pass'), ...passing];
}

function stateOf(check: CheckReport): PageState {
  return check.stale ? 'stale' : check.status;
}

/** The maintenance flag: reason, who, since when and until when. */
function banner(flag: NonNullable<PageInput['maintenance']>, now: number): Markup {
  const until =
    flag.until === null
      ? safeHtml`until <code>healthcheckd up</code>`
      : safeHtml`until ${time(flag.until)} (${formatIn(flag.until, now)})`;
  return safeHtml`<section class="banner" aria-label="maintenance">
<h2>${symbol(looks.maintenance.symbol)} Maintenance: ${flag.reason}</h2>
<p>Set by ${flag.by} at ${time(flag.since)} (${formatAgo(flag.since, now)}), ${until}.</p>
<p class="note">While the flag is set this endpoint answers maintenance without running its checks; the results below are the last ones.</p>
</section>`;
}

/** One check: state, name, how long it has been so, the last run and its output. */
function checkCard(check: CheckReport, input: PageInput): Markup {
  const state = stateOf(check);
  const look = looks[state];
  const role = check.critical ? 'critical' : 'non-critical';
  return safeHtml`<li class="check s-${state}">
<div class="check-head"><span class="badge">${symbol(look.symbol)} ${look.word}</span>
<h2>${check.name}</h2>
${flagBadge(input.flags.get(check.name))}${flapBadge(check)}<span class="since">for ${formatSpan(input.now - check.since)}</span>
<span class="tags">${role} · ${check.kind}</span></div>
${lastRun(check, input.now)}
${why(state)}
${flagNote(input.flags.get(check.name))}${flapNote(check)}
${output(check, input.exposeOutput)}
${resultStrip(check, input.exposeOutput)}
${changeList(check, input.now, input.exposeOutput, input.changesShown)}
</li>
`;
}

type Flag = PageInput['flags'] extends ReadonlyMap<string, infer F> ? F : never;

/** `▮▮ MAINTENANCE` beside the name of a check under a flag. */
function flagBadge(flag: Flag | undefined): Markup {
  if (flag === undefined) return raw('');
  return safeHtml`<span class="badge s-maintenance" title="${flag.scope}: ${flag.reason}">${symbol(looks.maintenance.symbol)} MAINTENANCE</span>
`;
}

function flagNote(flag: Flag | undefined): Markup {
  if (flag === undefined) return raw('');
  return safeHtml`<p class="why">Under the maintenance flag <code>${flag.scope}</code>: ${flag.reason}</p>
`;
}

/** `↯ FLAPPING` beside the name of a check that flaps. */
function flapBadge(check: CheckReport): Markup {
  if (!check.flap?.flapping) return raw('');
  return safeHtml`<span class="badge flapping">${symbol('↯')} FLAPPING</span>
`;
}

/** How much the check changes state, against its flap_threshold. */
function flapNote(check: CheckReport): Markup {
  const flap = check.flap;
  if (flap === null) return raw('');
  const verdict = flap.flapping
    ? `flapping: stops below ${flap.stopBelowPercent}%`
    : `flaps above ${flap.thresholdPercent}%`;
  return safeHtml`<p class="why">State change over the last 21 results: ${flap.percent}% (${verdict}); while it flaps its changes are not logged one by one.</p>
`;
}

/** When the last run ended, how long it took and how it ended. */
function lastRun(check: CheckReport, now: number): Markup {
  const last = check.last;
  const ran = last ? time(last.time, formatAgo(last.time, now)) : 'not yet';
  return safeHtml`<dl>
<div><dt>Last run</dt><dd>${ran}</dd></div>
<div><dt>Duration</dt><dd>${last ? formatMs(last.durationMs) : '—'}</dd></div>
<div><dt>Result</dt><dd>${formatOutcome(check)}</dd></div>
</dl>`;
}

/** What PENDING and STALE mean, since neither is a result of the command. */
function why(state: PageState): Markup {
  if (state === 'pending')
    return safeHtml`<p class="why">No result yet; counts as fail until the first run ends.</p>`;
  if (state === 'stale')
    return safeHtml`<p class="why">The last result is older than max_age; it counts as fail.</p>`;
  return raw('');
}

/** The captured output, or a note that it stays on the host. */
function output(check: CheckReport, exposeOutput: boolean): Markup {
  if (!exposeOutput) return safeHtml`<p class="hidden">Output hidden (expose_output = false).</p>`;
  const text = (check.last?.output ?? '').trimEnd();
  return text === '' ? raw('') : safeHtml`<pre>${text}</pre>`;
}

/** Refresh interval, render time and the other formats of this endpoint. */
function footer(input: PageInput, refresh: number): Markup {
  return safeHtml`<footer class="wrap">Rendered ${formatClock(input.now)}; reloads every ${refresh} s.
The same answer as <a href="?format=json">JSON</a>. healthcheckd</footer>`;
}
