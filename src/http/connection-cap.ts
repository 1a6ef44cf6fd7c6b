import { readFileSync } from 'node:fs';

/** The most connections the HTTP server holds at once, whatever the open-file limit. */
export const connectionCeiling = 4_096;
/** Descriptors kept back for everything else: check pipes, the spool, logs, the agent. */
export const descriptorReserve = 256;
/** The cap never goes below this, even under a tiny open-file limit. */
const connectionFloor = 16;

/**
 * The connection cap for this process: the ceiling, or the open-file limit less the reserve
 * when that is lower. A cap above the limit would let accept() fail with EMFILE first, and
 * then every new connection is dropped before the cap can reclaim an idle one for it.
 */
export function defaultConnectionCap(limit = openFileLimit()): number {
  if (limit === null) return connectionCeiling;
  return Math.max(connectionFloor, Math.min(connectionCeiling, limit - descriptorReserve));
}

/** The soft open-file limit (Node raises it to the hard one at start), or null off Linux. */
export function openFileLimit(limitsText = readLimits()): number | null {
  const line = limitsText?.split('\n').find((row) => row.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  if (soft === undefined) return null;
  if (soft === 'unlimited') return Number.MAX_SAFE_INTEGER;
  const value = Number(soft);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

function readLimits(): string | null {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return null;
  }
}
