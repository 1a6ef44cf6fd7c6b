import { formatWallTime } from '../util/clock.js';
import type { Status } from '../types.js';
import { safeHtml, type Markup } from './html.js';
import { formatClock } from './status-page-format.js';

/** A state as the page shows it: a check's, or the endpoint's. */
export type PageState = Status | 'maintenance' | 'pending' | 'stale';

/**
 * Word and symbol for each state; the word carries the meaning, colour and symbol repeat it.
 * Maintenance is `▮▮`, not `⏸`: common fonts (DejaVu, Liberation) lack U+23F8.
 */
export const looks: Record<PageState, { readonly word: string; readonly symbol: string }> = {
  pass: { word: 'PASS', symbol: '✔' },
  warn: { word: 'WARN', symbol: '▲' },
  fail: { word: 'FAIL', symbol: '✖' },
  maintenance: { word: 'MAINTENANCE', symbol: '▮▮' },
  pending: { word: 'PENDING', symbol: '○' },
  stale: { word: 'STALE', symbol: '◷' },
};

/** The symbol is decoration for sighted readers; screen readers read the word. */
export function symbol(text: string): Markup {
  return safeHtml`<span class="sym" aria-hidden="true">${text}</span>`;
}

/** A moment as a <time> element, its wall-clock time as a tooltip. */
export function time(at: number, text = formatClock(at)): Markup {
  const iso = formatWallTime(at);
  return safeHtml`<time datetime="${iso}" title="${formatClock(at)}">${text}</time>`;
}
