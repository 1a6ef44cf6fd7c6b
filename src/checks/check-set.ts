import { isDeepStrictEqual } from 'node:util';
import type { CheckDefinition } from '../types.js';
import { createRunner, type CheckRunner, type RunnerDeps } from './runner.js';

/** Every configured check, by name and by group. */
export interface CheckSet {
  readonly all: readonly CheckRunner[];
  readonly byName: ReadonlyMap<string, CheckRunner>;
  readonly byGroup: ReadonlyMap<string, readonly CheckRunner[]>;
  readonly start: () => void;
  readonly stop: () => void;
}

/**
 * Creates a runner per definition. A check whose definition did not change since `previous`
 * keeps its state (so a reload does not reset rise/fall or turn a passing check pending).
 */
export function createCheckSet(
  definitions: readonly CheckDefinition[],
  deps: RunnerDeps,
  previous?: CheckSet,
): CheckSet {
  const all = carryOver(definitions, deps, previous);
  const byName = new Map(all.map((runner) => [runner.definition.name, runner]));
  const byGroup = new Map<string, CheckRunner[]>();
  for (const runner of all) {
    for (const group of runner.definition.groups) {
      byGroup.set(group, [...(byGroup.get(group) ?? []), runner]);
    }
  }
  return {
    all,
    byName,
    byGroup,
    start: () => all.forEach((runner) => runner.start()),
    stop: () => all.forEach((runner) => runner.stop()),
  };
}

/**
 * The runners, each keeping the state of an unchanged check. A function of its own so that the
 * closures of the new set do not share a scope with `previous` and keep it alive.
 */
function carryOver(
  definitions: readonly CheckDefinition[],
  deps: RunnerDeps,
  previous: CheckSet | undefined,
): CheckRunner[] {
  return definitions.map((definition) => {
    const old = previous?.byName.get(definition.name);
    const keep = old && sameDefinition(old.definition, definition);
    if (!keep) return createRunner(definition, deps);
    return createRunner(definition, deps, old.snapshot().state, old.running(), old.history);
  });
}

/** Definitions are the same when everything but where they were written is the same. */
export function sameDefinition(a: CheckDefinition, b: CheckDefinition): boolean {
  return isDeepStrictEqual({ ...a, origin: null }, { ...b, origin: null });
}
