import {
  answer,
  maintenanceAnswer,
  notFound,
  statusCodeFor,
  textAnswer,
  type Answer,
} from './answer.js';
import type { Question } from './handler.js';
import { healthDocument, jsonAnswer } from './health-json.js';
import { negotiate, type BodyFormat } from './negotiate.js';
import type { PageInput } from './status-page.js';
import { lazyStatusPage, type PageRenderer } from './status-page-lazy.js';
import { hostname } from 'node:os';
import type { Route } from './routes.js';
import type {
  Endpoint,
  EndpointReport,
  Endpoints,
  MaintenanceFlag,
  Status,
  StatusCodes,
} from '../types.js';
import { maintenanceMember, scopeName } from '../util/text.js';

/** What the responder reads: the checks, the answer settings, maintenance and metrics. */
export interface ResponderDeps {
  readonly endpoints: Endpoints;
  readonly statusCodes: StatusCodes;
  readonly exposeOutput: boolean;
  /** The maintenance flag covering these checks, or null; includes the shutdown drain. */
  readonly maintenance: (checkNames: readonly string[]) => MaintenanceFlag | null;
  readonly metrics: () => Promise<{ readonly text: string; readonly contentType: string }>;
}

const bypassCache = { bypassCache: true } as const;
const useCache = { bypassCache: false } as const;

/** Answers a request: picks the endpoint its route names, evaluates it, builds the answer. */
export function createResponder(
  deps: ResponderDeps,
): (question: Question) => Answer | Promise<Answer> {
  // The plain answers never change: built once, so the hot path allocates none.
  const texts = {
    pass: textAnswer('pass', deps.statusCodes),
    warn: textAnswer('warn', deps.statusCodes),
    fail: textAnswer('fail', deps.statusCodes),
  };
  const withTexts = { ...deps, texts, page: lazyStatusPage() };
  return (question) => {
    const route = question.target.route;
    if (route.kind === 'metrics')
      return deps.metrics().then((m) => answer(200, m.text, m.contentType));
    const endpoint = endpointFor(deps.endpoints, route);
    if (endpoint === undefined) return notFound(describe(route));
    const format = negotiate(question.accept, question.target.formatJson);
    const flag = deps.maintenance(endpoint.names);
    if (flag) return renderMaintenance(flag, endpoint, format, route, withTexts);
    const result = endpoint.evaluate(question.noCache ? bypassCache : useCache);
    const render = (report: EndpointReport): Answer | Promise<Answer> =>
      renderReport(endpoint.single ? ownStatus(report) : report, format, route, withTexts);
    return result instanceof Promise ? result.then(render) : render(result);
  };
}

/**
 * `/check/<name>` answers that check's own state: `critical = false` softens an aggregate,
 * not the check itself.
 */
function ownStatus(report: EndpointReport): EndpointReport {
  const own = report.checks[0]?.status ?? 'fail';
  const status = own === 'pending' ? 'fail' : own;
  return status === report.status ? report : { ...report, status };
}

/** The responder's own parts: the fixed plain answers and the status page. */
type Parts = ResponderDeps & {
  readonly texts: Record<Status, Answer>;
  readonly page: PageRenderer;
};

function renderReport(
  report: EndpointReport,
  format: BodyFormat,
  route: Route,
  deps: Parts,
): Answer | Promise<Answer> {
  if (format === 'text') return deps.texts[report.status];
  if (format === 'html') {
    const statusCode = statusCodeFor(report.status, deps.statusCodes);
    return deps.page({
      ...pageBase(route, report, deps),
      status: report.status,
      statusCode,
      maintenance: null,
    });
  }
  const document = healthDocument(report, deps.exposeOutput);
  return jsonAnswer(
    statusCodeFor(report.status, deps.statusCodes),
    document,
    contentTypeOf(format),
  );
}

/** Maintenance: the checks are not run; JSON shows their last results and the flag. */
function renderMaintenance(
  flag: MaintenanceFlag,
  endpoint: Endpoint,
  format: BodyFormat,
  route: Route,
  deps: Parts,
): Answer | Promise<Answer> {
  const now = Date.now();
  const text = maintenanceAnswer(flag, deps.statusCodes, now);
  if (format === 'text') return text;
  const report = { ...endpoint.current(), status: 'fail' as const };
  if (format === 'html') {
    const statusCode = deps.statusCodes.maintenance;
    const page = deps.page({
      ...pageBase(route, report, deps),
      status: 'maintenance',
      statusCode,
      maintenance: flag,
    });
    const withFlag = (html: Answer): Answer => ({
      ...html,
      headers: { ...text.headers, ...html.headers },
    });
    return page instanceof Promise ? page.then(withFlag) : withFlag(page);
  }
  const maintenance = maintenanceMember(flag);
  const document = healthDocument(report, deps.exposeOutput, maintenance);
  const json = jsonAnswer(deps.statusCodes.maintenance, document, contentTypeOf(format));
  return { ...json, headers: { ...text.headers, ...json.headers } };
}

/** How often the status page reloads itself. */
const refreshSeconds = 5;

function pageBase(route: Route, report: EndpointReport, deps: ResponderDeps) {
  return {
    title:
      route.kind === 'aggregate'
        ? 'all checks'
        : `${route.kind} ${'name' in route ? route.name : ''}`,
    hostname: hostname(),
    checks: report.checks,
    exposeOutput: deps.exposeOutput,
    now: Date.now(),
    refreshSeconds,
    flags: flagsOf(report, deps),
    changesShown: route.kind === 'check' ? historyLength : changesPerCard,
  };
}

/** State changes each card of a page of several checks lists; a check's own page lists all. */
const changesPerCard = 5;
const historyLength = 20;

/** The checks under a maintenance flag (one of their own, `all`, or the shutdown drain). */
function flagsOf(report: EndpointReport, deps: ResponderDeps): PageInput['flags'] {
  const flags = new Map<string, { scope: string; reason: string }>();
  for (const check of report.checks) {
    const flag = deps.maintenance([check.name]);
    if (flag) flags.set(check.name, { scope: scopeName(flag.scope), reason: flag.reason });
  }
  return flags;
}

function contentTypeOf(format: BodyFormat): string {
  return format === 'json' ? 'application/json' : 'application/health+json';
}

function endpointFor(endpoints: Endpoints, route: Route): Endpoint | undefined {
  if (route.kind === 'aggregate') return endpoints.aggregate;
  if (route.kind === 'group') return endpoints.group(route.name);
  if (route.kind === 'check') return endpoints.check(route.name);
  return undefined;
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
