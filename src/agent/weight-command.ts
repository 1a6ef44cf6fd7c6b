import type { RunResult } from '../types.js';
import { describeOutcome, firstLine } from '../util/text.js';

/** A weight from `weight = command:...`, and what went wrong when the command did not give one. */
export interface WeightReading {
  /** Percent, `minWeight`-100. */
  readonly weight: number;
  /** Null when the command gave a usable weight; else why `minWeight` stands in. */
  readonly problem: string | null;
}

/** Reads a percentage such as `73`, `73%` or ` 73 % `, clamped to 1-100; null for anything else. */
export function parseWeight(firstLine: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(firstLine);
  if (!match?.[1]) return null;
  return Math.max(1, Math.min(100, Math.round(Number(match[1]))));
}

/**
 * Runs the weight command and reads the first non-empty line of a passing run. A broken weight
 * command (failing, silent, printing garbage) must not take the server out of the pool, nor
 * claim it is idle: it gets `minWeight`, the least the operator allowed, and `problem` says why.
 */
export async function weightFromCommand(
  run: () => Promise<RunResult>,
  minWeight: number,
): Promise<WeightReading> {
  let result: RunResult;
  try {
    result = await run();
  } catch (error) {
    return fallback(minWeight, `weight command could not run: ${String(error)}`);
  }
  const line = firstLine(result.output);
  if (result.status !== 'pass') {
    return fallback(
      minWeight,
      `weight command failed (${describeOutcome(result, 'command')})${line ? `: ${line}` : ''}`,
    );
  }
  if (line === '') return fallback(minWeight, 'weight command printed nothing');
  const weight = parseWeight(line);
  if (weight === null) {
    return fallback(
      minWeight,
      `weight command printed "${line.slice(0, 80)}", expected a percentage such as 73 or 73%`,
    );
  }
  return { weight: Math.max(minWeight, weight), problem: null };
}

function fallback(minWeight: number, problem: string): WeightReading {
  return { weight: minWeight, problem };
}
