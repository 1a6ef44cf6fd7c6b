import type { Endpoint, Endpoints } from '../types.js';
import type { CheckSet } from './check-set.js';
import { combine, evaluate, toReport } from './evaluate.js';
import type { CheckRunner } from './runner.js';

/**
 * The endpoints a check set answers for, built once per configuration: the aggregate, one per
 * group and one per check, each with a stable list of runners and names (the hot path
 * allocates none).
 */
export function endpointsOf(checks: CheckSet): Endpoints {
  const aggregate = endpoint(checks.all, false);
  const groups = new Map(
    [...checks.byGroup].map(([name, runners]) => [name, endpoint(runners, false)]),
  );
  const singles = new Map(
    checks.all.map((runner) => [runner.definition.name, endpoint([runner], true)]),
  );
  return { aggregate, group: (name) => groups.get(name), check: (name) => singles.get(name) };
}

function endpoint(runners: readonly CheckRunner[], single: boolean): Endpoint {
  return {
    names: runners.map((runner) => runner.definition.name),
    evaluate: (options) => evaluate(runners, options),
    current: () => combine(runners.map((runner) => toReport(runner.snapshot()))),
    single,
  };
}
