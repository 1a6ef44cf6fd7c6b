import type { CheckReport, Status } from '../types.js';

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
}

/** Renders the self-contained HTML status page. */
export function renderStatusPage(input: PageInput): string {
  return `<!doctype html><title>${input.title}</title><p>${input.status}</p>`;
}
