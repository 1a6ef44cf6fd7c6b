import { formatDuration } from '../util/duration.js';
import type { CheckDefinition, ResolvedConfig } from '../types.js';
import { formatProblem, lineProblem } from './problems.js';

/**
 * A background check whose timeout is longer than `max_age - interval`: its result goes
 * stale while a run of it is still allowed to go on. Such a run keeps the previous result
 * counting (a run in flight within its timeout is not stale), so a result can stand for
 * `interval + timeout`, longer than max_age promises.
 */
function staleWhileRunning(check: CheckDefinition): string | null {
  const { intervalMs, maxAgeMs, timeoutMs } = check;
  if (intervalMs === null || maxAgeMs === null) return null;
  const room = maxAgeMs - intervalMs;
  if (timeoutMs <= room) return null;
  const d = formatDuration;
  const stands = d(intervalMs + timeoutMs);
  return (
    `[check:${check.name}]: timeout ${d(timeoutMs)} is longer than max_age - interval ` +
    `(${d(maxAgeMs)} - ${d(intervalMs)} = ${d(room)}): while a slow run is in flight its ` +
    `previous result keeps counting, for up to interval + timeout (${stands}) instead of ` +
    `max_age; lower timeout to ${d(Math.max(room, 0))} or raise max_age to ${stands}`
  );
}

/** What is valid but probably not meant, one line each, as `file:line: message`. */
export function configWarnings(config: ResolvedConfig): readonly string[] {
  const warnings: string[] = [];
  for (const check of config.checks) {
    const message = staleWhileRunning(check);
    if (message === null) continue;
    const line = check.origin.line === 0 ? null : check.origin.line;
    warnings.push(formatProblem(lineProblem(line, message), config.file));
  }
  return warnings;
}
