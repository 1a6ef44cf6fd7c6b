import { HealthcheckdError } from '../errors.js';

/** One thing wrong with the configuration: a file line, the file as a whole, or a flag. */
export type Problem =
  | { readonly source: 'file'; readonly line: number | null; readonly message: string }
  | { readonly source: 'flags'; readonly message: string };

/** A problem at one line of the config file (null: the file as a whole). */
export function lineProblem(line: number | null, message: string): Problem {
  return { source: 'file', line, message };
}

/** A problem in a command-line flag. */
export function flagProblem(message: string): Problem {
  return { source: 'flags', message };
}

/** `<what>: expected <expected>, found "<found>"`, the shape of every value problem. */
export function expectedFound(what: string, expected: string, found: string): string {
  return `${what}: expected ${expected}, found ${JSON.stringify(found)}`;
}

/** The problem as the operator reads it: `file:line: message` or `command line: message`. */
export function formatProblem(problem: Problem, file: string | null): string {
  if (problem.source === 'flags' || file === null) return `command line: ${problem.message}`;
  return problem.line === null
    ? `${file}: ${problem.message}`
    : `${file}:${problem.line}: ${problem.message}`;
}

/** File problems by line, then problems about the whole file, then flag problems. */
function rank(problem: Problem): number {
  if (problem.source === 'flags') return Number.MAX_SAFE_INTEGER;
  return problem.line ?? Number.MAX_SAFE_INTEGER - 1;
}

/** Throws every problem at once: E_USAGE when all come from flags, else E_CONFIG. */
export function throwIfProblems(problems: readonly Problem[], file: string | null): void {
  if (problems.length === 0) return;
  const sorted = [...problems].sort((a, b) => rank(a) - rank(b));
  const details = sorted.map((problem) => formatProblem(problem, file));
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const them = problems.length === 1 ? 'it' : 'them';
  if (file === null || problems.every((problem) => problem.source === 'flags')) {
    throw new HealthcheckdError(
      'E_USAGE',
      `command line: ${count} in the flags; fix ${them} and start again`,
      details,
    );
  }
  throw new HealthcheckdError(
    'E_CONFIG',
    `${file}: configuration has ${count}; fix ${them} and start again`,
    details,
  );
}
