import type { CheckSet } from './checks/check-set.js';
import { evaluate, type Evaluation } from './checks/evaluate.js';
import type { Probe } from './checks/probe.js';
import { answer, maintenanceAnswer, notFound, textAnswer, type Answer } from './http/answer.js';
import type { Question } from './http/handler.js';
import type { Route } from './http/routes.js';
import type { StatusCodes } from './types.js';

export interface ResponderDeps {
  readonly checks: CheckSet;
  readonly statusCodes: StatusCodes;
  /** Set while the daemon drains on shutdown: every endpoint answers maintenance. */
  readonly draining: () => boolean;
}

/** Wires the checks to HTTP: picks the probes a route names, evaluates them, builds the answer. */
export function createResponder(deps: ResponderDeps): (question: Question) => Answer | Promise<Answer> {
  const { checks, statusCodes } = deps;
  return (question) => {
    const route = question.target.route;
    if (deps.draining()) return maintenanceAnswer({ reason: 'shutting down', until: null }, statusCodes, Date.now());
    const probes = probesFor(checks, route);
    if (probes === null) return notFound(describe(route));
    const result = evaluate(probes, { bypassCache: question.noCache });
    const render = (evaluation: Evaluation): Answer => textAnswer(evaluation.status, statusCodes);
    return result instanceof Promise ? result.then(render) : render(result);
  };
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
