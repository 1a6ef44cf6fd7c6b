import type { Status } from '../types.js';
import type { CheckStatus } from './state.js';

/** One check's part in an aggregate answer. */
export interface Member {
  readonly status: CheckStatus;
  readonly critical: boolean;
}

/**
 * Combines checks into one status: a critical failure (or pending) fails the whole, a
 * non-critical one only warns it; no check at all fails, because nothing was proven.
 */
export function aggregate(members: readonly Member[]): Status {
  if (members.length === 0) return 'fail';
  let status: Status = 'pass';
  for (const member of members) {
    if (member.status === 'fail' || member.status === 'pending') {
      if (member.critical) return 'fail';
      status = 'warn';
    } else if (member.status === 'warn') status = 'warn';
  }
  return status;
}
