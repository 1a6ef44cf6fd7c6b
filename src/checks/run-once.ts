import { combine } from './evaluate.js';
import { createExecutor } from './execute.js';
import { createLimiter } from './limiter.js';
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

/** Runs the chosen checks once each (all of them when `names` is empty) and reports them. */
export async function checkOnce(
  config: ResolvedConfig,
  names: readonly string[],
): Promise<EndpointReport> {
  const chosen = choose(config.checks, names);
  const tracker = createProcessTracker();
  const credentials = checkCredentials(config.daemon.user);
  const execute = createExecutor({
    shell: config.daemon.shell,
    limiter: createLimiter(config.daemon.maxConcurrent),
    tracker,
    ...(credentials ? { credentials } : {}),
  });
  const results = await Promise.all(chosen.map((definition) => execute(definition)));
  tracker.killAll();
  return combine(
    chosen.map((definition, index) => report(definition, results[index] as RunResult)),
  );
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

function report(definition: CheckDefinition, result: RunResult): CheckReport {
  return {
    name: definition.name,
    kind: definition.kind,
    status: result.status,
    critical: definition.critical,
    since: result.finishedAt,
    last: result,
    stale: false,
  };
}

/** One readable line per check: name, state, duration, first line of output; then the whole. */
export function formatReport(report: EndpointReport): string {
  const width = Math.max(...report.checks.map((check) => check.name.length), 5);
  const lines = report.checks.map((check) => {
    const duration = `${Math.round(check.last?.durationMs ?? 0)} ms`.padStart(8);
    const firstLine =
      (check.last?.output ?? '').split('\n').find((line) => line.trim() !== '') ?? '';
    return `${check.name.padEnd(width)}  ${check.status.toUpperCase().padEnd(4)}  ${duration}  ${firstLine}`.trimEnd();
  });
  const failing = report.checks.filter((check) => check.status !== 'pass').length;
  lines.push(
    `${'total'.padEnd(width)}  ${report.status.toUpperCase().padEnd(4)}  (${failing} of ${report.checks.length} not passing)`,
  );
  return `${lines.join('\n')}\n`;
}
