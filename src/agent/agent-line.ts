import type { Status } from '../types.js';

/** Everything the agent says in one answer. */
export interface AgentInput {
  /** The aggregate of all checks. */
  readonly status: Status;
  /** A maintenance flag (or the shutdown drain) affecting the aggregate; null when none. */
  readonly maintenance: { readonly reason: string } | null;
  readonly maintenanceMode: 'drain' | 'maint';
  /** Percent, 1-100; null when `weight = none` or not known yet. */
  readonly weight: number | null;
  /** Why the aggregate fails: the first failing check and its output's first line. */
  readonly reason: string;
}

/** The longest reason sent after `down #`, in characters. */
export const maxReasonLength = 100;

/**
 * The agent's whole state on one line (haproxy#2039: HAProxy keeps whatever a reply leaves out,
 * so every reply carries the health, the admin state and, when known, the weight).
 */
export function agentLine(input: AgentInput): string {
  if (input.maintenance) return `${input.maintenanceMode}\n`;
  if (input.status === 'fail') return `down #${sanitizeReason(input.reason)}\n`;
  return input.weight === null ? 'up ready\n' : `up ready ${input.weight}%\n`;
}

/**
 * Makes a reason safe to follow `down #`: HAProxy ends the reply at the first CR, LF or NUL, so
 * control characters become spaces; runs of blanks collapse; at most `maxReasonLength` characters.
 */
export function sanitizeReason(reason: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = reason.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  const clean = flat.replace(/\s+/g, ' ').trim();
  const chars = Array.from(clean);
  if (chars.length === 0) return 'failed';
  if (chars.length <= maxReasonLength) return clean;
  return `${chars
    .slice(0, maxReasonLength - 3)
    .join('')
    .trimEnd()}...`;
}
