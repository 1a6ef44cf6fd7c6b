import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { createAgent, type Agent } from '../agent/agent.js';
import type { CheckSet } from '../checks/check-set.js';
import { evaluate } from '../checks/evaluate.js';
import type { Execute } from '../checks/execute.js';
import { defaultCheck } from '../config/resolve-checks.js';
import { createHandler, type AccessEntry } from '../http/handler.js';
import { endpointsOf } from '../checks/endpoints.js';
import { createResponder, failClosedAnswer } from '../http/responder.js';
import type { CheckDefinition, MaintenanceFlag, ResolvedConfig } from '../types.js';
import type { Metrics } from './metrics.js';

/** The flag that puts an endpoint holding these checks in maintenance, or null. */
export type MaintenanceFor = (names: readonly string[]) => MaintenanceFlag | null;

/** What one runtime answers with: its checks, its maintenance and the daemon's metrics. */
export interface EndpointParts {
  readonly config: ResolvedConfig;
  readonly checks: CheckSet;
  readonly maintenance: MaintenanceFor;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** The HTTP request listener of one runtime. */
export function createListener(
  parts: EndpointParts,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { checks, metrics } = parts;
  const settings = parts.config.daemon;
  return createHandler({
    isGroup: (name) => checks.byGroup.has(name),
    respond: createResponder({
      endpoints: endpointsOf(checks),
      statusCodes: settings.statusCodes,
      exposeOutput: settings.exposeOutput,
      maintenance: parts.maintenance,
      metrics: async () => ({ text: await metrics.render(), contentType: metrics.contentType }),
    }),
    failClosed: () => failClosedAnswer(settings.statusCodes),
    logger: parts.logger,
    onAnswer: metrics.observeAnswer,
    ...(settings.accessLog ? { onAccess: accessLog(parts.logger) } : {}),
  });
}

/** `access_log = true`: one info line per request, `GET /path 200 1.2 ms 127.0.0.1`. */
function accessLog(logger: Logger): (entry: AccessEntry) => void {
  return (entry) =>
    logger.info(
      { ...entry },
      `${entry.method} ${entry.path} ${entry.status} ${entry.durationMs} ms ${entry.remote}`,
    );
}

/** The HAProxy agent for `[agent]` (null without one): maintenance, aggregate and weight. */
export function createAgentFor(parts: EndpointParts, execute: Execute): Agent | null {
  const { config, checks } = parts;
  const settings = config.agent;
  if (!settings) return null;
  const names = config.checks.map((check) => check.name);
  const weightCheck =
    settings.weight.kind === 'command' ? weightDefinition(config, settings.weight.command) : null;
  return createAgent({
    settings,
    report: () => evaluate(checks.all, { bypassCache: false }),
    maintenance: () => parts.maintenance(names),
    exposeOutput: config.daemon.exposeOutput,
    ...(weightCheck ? { runWeightCommand: () => execute(weightCheck) } : {}),
    logger: parts.logger,
  });
}

/** `weight = command:...` runs through the executor like a check (slot, timeout, group kill). */
function weightDefinition(config: ResolvedConfig, command: string): CheckDefinition {
  const origin = { file: config.file ?? 'command line', line: 0 };
  return {
    ...defaultCheck('agent-weight', 'command', command, config.daemon.timeoutMs, origin),
    critical: false,
  };
}

/** How long an agent connection may stay open: the longest check timeout, plus a second. */
export function agentTimeoutMs(config: ResolvedConfig): number {
  return Math.max(5_000, ...config.checks.map((check) => check.timeoutMs)) + 1_000;
}
