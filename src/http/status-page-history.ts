import type { CheckReport, HistoryResult, StateChange } from '../types.js';
import { describeOutcome } from '../util/text.js';
import { raw, safeHtml, type Markup } from './html.js';
import { formatAgo, formatClock, formatMs } from './status-page-format.js';
import { looks, time } from './status-page-looks.js';

/**
 * A check's last results as a strip of cells, oldest on the left: colour and height tell the
 * state (a fail stands tallest), each cell's tooltip its time, state, duration, outcome and
 * first line of output; a screen reader reads the counts.
 */
export function resultStrip(check: CheckReport, exposeOutput: boolean): Markup {
  const results = check.history;
  if (results.length === 0) return raw('');
  const label = `Last ${results.length} ${results.length === 1 ? 'result' : 'results'}, oldest first: ${counts(results)}`;
  const cells = results.map((result) => cell(result, check.kind, exposeOutput));
  return safeHtml`<div class="recent"><span class="recent-label" aria-hidden="true">Last ${results.length}</span>
<div class="strip" role="img" aria-label="${label}">${cells}</div></div>`;
}

function cell(result: HistoryResult, kind: CheckReport['kind'], exposeOutput: boolean): Markup {
  const outcome = describeOutcome(result, kind);
  const parts = [formatClock(result.time), looks[result.status].word, formatMs(result.durationMs)];
  if (outcome !== '') parts.push(outcome);
  if (exposeOutput && result.output !== '') parts.push(result.output);
  return safeHtml`<span class="cell s-${result.status}" title="${parts.join(' · ')}"></span>`;
}

/** `17 pass, 3 fail`. */
function counts(results: readonly HistoryResult[]): string {
  const tally = new Map<string, number>();
  for (const { status } of results) tally.set(status, (tally.get(status) ?? 0) + 1);
  return [...tally].map(([status, count]) => `${count} ${status}`).join(', ');
}

/**
 * A check's `limit` most recent state changes, newest first, each with the output of the run
 * behind it; the earlier ones are on the check's own page (`/check/NAME`).
 */
export function changeList(
  check: CheckReport,
  now: number,
  exposeOutput: boolean,
  limit: number,
): Markup {
  const changes = check.changes.slice(-limit).reverse();
  if (changes.length === 0) return raw('');
  const hidden = check.changes.length - changes.length;
  const link = `/check/${encodeURIComponent(check.name)}`;
  const more =
    hidden > 0
      ? safeHtml`<p class="more">${hidden} earlier on <a href="${link}">the page of ${check.name}</a>.</p>`
      : raw('');
  return safeHtml`<section class="changes" aria-label="state changes of ${check.name}">
<h3>State changes</h3>
<ol>${changes.map((change) => changeItem(change, now, exposeOutput))}</ol>
${more}</section>`;
}

function changeItem(change: StateChange, now: number, exposeOutput: boolean): Markup {
  const output = change.output.trimEnd();
  const text = exposeOutput && output !== '' ? safeHtml`<pre>${output}</pre>` : raw('');
  return safeHtml`<li><span class="change">${time(change.time, formatClock(change.time))} <span class="ago">(${formatAgo(change.time, now)})</span>
<span class="word s-${change.from}">${looks[change.from].word}</span> → <span class="word s-${change.to}">${looks[change.to].word}</span></span>${text}</li>`;
}
