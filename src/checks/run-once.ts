import { combine } from './evaluate.js';
import { executorFor } from './execute.js';
import { createProcessTracker } from './process-tracker.js';
import { HealthcheckdError } from '../errors.js';
import { checkCredentials } from './credentials.js';
import type {
  CheckDefinition,
  CheckReport,
  EndpointReport,
  ResolvedConfig,
  RunResult,
} from '../types.js';

/** One-shot runs under way: their report to come, and a way to kill them all. */
export interface OneShot {
  readonly report: Promise<EndpointReport>;
  /** SIGKILLs the process group of every run still going (an interrupted `check`). */
  readonly killAll: () => void;
}

/** Starts the chosen checks once each (all of them when `names` is empty). */
export function startCheckOnce(config: ResolvedConfig, names: readonly string[]): OneShot {
  const chosen = choose(config.checks, names);
  const tracker = createProcessTracker();
  const execute = executorFor(
    config.daemon,
    tracker,
    checkCredentials(config.daemon.user),
    undefined,
    { direct: null },
  );
  const report = Promise.all(chosen.map((definition) => execute(definition))).then((results) => {
    tracker.killAll();
    return combine(
      chosen.map((definition, index) => reportOf(definition, results[index] as RunResult)),
    );
  });
  return { report, killAll: tracker.killAll };
}

function choose(
  checks: readonly CheckDefinition[],
  names: readonly string[],
): readonly CheckDefinition[] {
  if (names.length === 0) return checks;
  return names.map((name) => {
    const found = checks.find((check) => check.name === name);
    if (found) return found;
    const known = checks.map((check) => check.name).join(', ');
    throw new HealthcheckdError(
      'E_USAGE',
      `no check named "${name}"; the configured checks are: ${known}`,
    );
  });
}

function reportOf(definition: CheckDefinition, result: RunResult): CheckReport {
  return {
    name: definition.name,
    kind: definition.kind,
    status: result.status,
    critical: definition.critical,
    since: result.time,
    last: result,
    stale: false,
    history: [],
    changes: [],
    flap: null,
  };
}
