import type { CheckSet } from './checks/check-set.js';
import { evaluate } from './checks/evaluate.js';
import type { Probe } from './checks/probe.js';
import {
  answer,
  maintenanceAnswer,
  notFound,
  statusCodeFor,
  textAnswer,
  type Answer,
} from './http/answer.js';
import { healthDocument, jsonAnswer } from './http/health-json.js';
import { negotiate, type BodyFormat } from './http/negotiate.js';
import type { Question } from './http/handler.js';
import type { Route } from './http/routes.js';
import type { EndpointReport, StatusCodes } from './types.js';

export interface ResponderDeps {
  readonly checks: CheckSet;
  readonly statusCodes: StatusCodes;
  readonly exposeOutput: boolean;
  /** Set while the daemon drains on shutdown: every endpoint answers maintenance. */
  readonly draining: () => boolean;
}

/** Wires the checks to HTTP: picks the probes a route names, evaluates them, builds the answer. */
export function createResponder(
  deps: ResponderDeps,
): (question: Question) => Answer | Promise<Answer> {
  const { checks, statusCodes } = deps;
  return (question) => {
    const route = question.target.route;
    if (deps.draining())
      return maintenanceAnswer({ reason: 'shutting down', until: null }, statusCodes, Date.now());
    const probes = probesFor(checks, route);
    if (probes === null) return notFound(describe(route));
    const format = negotiate(question.accept, question.target.formatJson);
    const result = evaluate(probes, { bypassCache: question.noCache });
    const alone = route.kind === 'check';
    const render = (report: EndpointReport): Answer =>
      renderReport(alone ? ownStatus(report) : report, format, deps);
    return result instanceof Promise ? result.then(render) : render(result);
  };
}

/**
 * `/check/<name>` answers that check's own state: `critical = false` softens an aggregate,
 * not the check itself.
 */
function ownStatus(report: EndpointReport): EndpointReport {
  const status = report.checks[0]?.status ?? 'fail';
  return { ...report, status: status === 'pending' ? 'fail' : status };
}

function renderReport(report: EndpointReport, format: BodyFormat, deps: ResponderDeps): Answer {
  if (format === 'text') return textAnswer(report.status, deps.statusCodes);
  const document = healthDocument(report, deps.exposeOutput);
  const contentType = format === 'json' ? 'application/json' : 'application/health+json';
  return jsonAnswer(statusCodeFor(report.status, deps.statusCodes), document, contentType);
}

function probesFor(checks: CheckSet, route: Route): readonly Probe[] | null {
  if (route.kind === 'aggregate') return checks.all;
  if (route.kind === 'group') return checks.byGroup.get(route.name) ?? null;
  if (route.kind === 'check') {
    const probe = checks.byName.get(route.name);
    return probe ? [probe] : null;
  }
  return null;
}

function describe(route: Route): string {
  if (route.kind === 'check') return `no check named "${route.name}"`;
  if (route.kind === 'group') return `no group named "${route.name}"`;
  return route.kind;
}

/** The answer when something went wrong inside the daemon: fail, never a false OK. */
export function failClosedAnswer(statusCodes: StatusCodes): Answer {
  return answer(statusCodes.fail, 'ERROR');
}
