/** The body formats an answer can take. */
export type BodyFormat = 'text' | 'json' | 'health+json' | 'html';

/**
 * Picks the body format: `?format=json` or an Accept naming application/health+json gives
 * IETF health+json, application/json the same document as application/json, text/html (a
 * browser) the status page for people, anything else the plain text the Python tool answered.
 */
export function negotiate(accept: string, formatJson: boolean): BodyFormat {
  if (formatJson || accept.includes('application/health+json')) return 'health+json';
  if (accept.includes('application/json')) return 'json';
  if (accept.includes('text/html')) return 'html';
  return 'text';
}
