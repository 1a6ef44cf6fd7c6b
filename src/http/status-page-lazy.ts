import { answer, type Answer } from './answer.js';
import type { PageInput } from './status-page.js';

/** Answers with the status page; a promise until the page's code has been imported. */
export type PageRenderer = (input: PageInput) => Answer | Promise<Answer>;

/**
 * A renderer that imports the status page (src/http/status-page.js and its parts) on the first
 * HTML request: probes and scrapers never ask for it, so a daemon that serves only them never
 * loads it (docs/performance.md). After that first import every page is rendered at once.
 */
export function lazyStatusPage(): PageRenderer {
  let render: ((input: PageInput) => string) | null = null;
  let loading: Promise<(input: PageInput) => string> | null = null;
  const html = (input: PageInput, page: (input: PageInput) => string): Answer =>
    answer(input.statusCode, page(input), 'text/html; charset=utf-8');
  return (input) => {
    if (render !== null) return html(input, render);
    loading ??= import('./status-page.js').then((module) => (render = module.renderStatusPage));
    return loading.then((page) => html(input, page));
  };
}
