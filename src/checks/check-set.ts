import { isDeepStrictEqual } from 'node:util';
import type { CheckDefinition } from '../types.js';
import { createProbe, type Probe, type ProbeDeps } from './probe.js';

/** Every configured check, by name and by group. */
export interface CheckSet {
  readonly all: readonly Probe[];
  readonly byName: ReadonlyMap<string, Probe>;
  readonly byGroup: ReadonlyMap<string, readonly Probe[]>;
  /** Each probe alone, as `/check/<name>` serves it (a stable list per check). */
  readonly single: ReadonlyMap<string, readonly Probe[]>;
  readonly start: () => void;
  readonly stop: () => void;
}

/**
 * Creates a probe per definition. A check whose definition did not change since `previous`
 * keeps its state (so a reload does not reset rise/fall or turn a passing check pending).
 */
export function createCheckSet(
  definitions: readonly CheckDefinition[],
  deps: ProbeDeps,
  previous?: CheckSet,
): CheckSet {
  const all = definitions.map((definition) => {
    const old = previous?.byName.get(definition.name);
    const keep = old && sameDefinition(old.definition, definition);
    if (!keep) return createProbe(definition, deps);
    return createProbe(definition, deps, old.snapshot().state, old.running());
  });
  const byName = new Map(all.map((probe) => [probe.definition.name, probe]));
  const byGroup = new Map<string, Probe[]>();
  for (const probe of all) {
    for (const group of probe.definition.groups) {
      byGroup.set(group, [...(byGroup.get(group) ?? []), probe]);
    }
  }
  const single = new Map(all.map((probe) => [probe.definition.name, [probe]]));
  return {
    all,
    byName,
    byGroup,
    single,
    start: () => all.forEach((probe) => probe.start()),
    stop: () => all.forEach((probe) => probe.stop()),
  };
}

/** Definitions are the same when everything but where they were written is the same. */
export function sameDefinition(a: CheckDefinition, b: CheckDefinition): boolean {
  return isDeepStrictEqual({ ...a, origin: null }, { ...b, origin: null });
}
