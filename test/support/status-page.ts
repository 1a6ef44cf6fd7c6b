import assert from 'node:assert/strict';
import { renderStatusPage, type PageInput } from '../../src/http/status-page.js';
import type { CheckReport } from '../../src/types.js';

/** The status page of `checks` at `now` (ms since epoch), for host web-1.example, failing. */
export function renderPage(
  checks: readonly CheckReport[],
  now: number,
  overrides: Partial<PageInput> = {},
): string {
  return renderStatusPage({
    title: 'all checks',
    hostname: 'web-1.example',
    status: 'fail',
    statusCode: 503,
    checks,
    maintenance: null,
    exposeOutput: true,
    now,
    refreshSeconds: 5,
    flags: new Map(),
    changesShown: 5,
    ...overrides,
  });
}

/** The HTML of the card of check `name` (from its `class="check ...` on); fails when absent. */
export function card(html: string, name: string): string {
  const cards = html
    .split('<li class="check ')
    .slice(1)
    .map((item) => `class="check ${item}`);
  const found = cards.find((item) => item.includes(`<h2>${name}</h2>`));
  assert.ok(found, `no card for ${name}`);
  return found;
}
