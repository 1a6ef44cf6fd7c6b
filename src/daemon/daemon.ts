import type { Logger } from 'pino';
import { createAgent, type Agent } from '../agent/agent.js';
import { createAgentServer, type AgentServer } from '../agent/server.js';
import { createCheckSet, type CheckSet } from '../checks/check-set.js';
import { evaluate, toReport } from '../checks/evaluate.js';
import { executorFor } from '../checks/execute.js';
import { createLimiter, type Limiter } from '../checks/limiter.js';
import { createProcessTracker, type ProcessTracker } from '../checks/process-tracker.js';
import type { LoadedConfig } from '../config/load.js';
import { defaultCheck } from '../config/resolve-checks.js';
import { HealthcheckdError } from '../errors.js';
import { createHandler } from '../http/handler.js';
import { createHttpServer, type HttpServer } from '../http/server.js';
import { isAddressInUse, urlHost } from '../util/listen.js';
import { scopeFile, type MaintenanceFlag } from '../maintenance/flag.js';
import { createMaintenanceView, type MaintenanceView } from '../maintenance/view.js';
import { createMetrics, type Metrics } from './metrics.js';
import { installCrashHandler } from './crash.js';
import { droppedLogLines } from './logging.js';
import { acquirePidfile, type Pidfile } from './pidfile.js';
import { checkCredentials, type Credentials } from '../checks/credentials.js';
import { createResponder, failClosedAnswer } from '../http/responder.js';
import type { CheckDefinition, ResolvedConfig, RunResult } from '../types.js';

/** A running daemon. */
export interface Daemon {
  /** The port the HTTP server is bound to. */
  readonly port: () => number;
  /** Graceful stop: drain, stop accepting, finish answers, kill checks, release the pidfile. */
  readonly stop: () => Promise<void>;
  /** Re-reads the config; an invalid one is logged and the old one kept. */
  readonly reload: () => Promise<void>;
  /** Immediate stop for a second signal: kill checks, release the pidfile, no waiting. */
  readonly abort: () => void;
  /** Resolves once the daemon has stopped. */
  readonly stopped: Promise<void>;
}

export interface DaemonOptions {
  /** Loads the config again, for SIGHUP. Throws a HealthcheckdError when it is invalid. */
  readonly load: () => LoadedConfig;
  readonly logger: Logger;
}

/** How often the spool is looked at when no request does it. */
const spoolPollMs = 1_000;

/** How long answers in flight may take once a stop begins. */
const closeGraceMs = 2_000;

interface Runtime {
  readonly config: ResolvedConfig;
  /** Polls the spool and the checks' ages, so that maintenance on/off and staleness are logged when they happen. */
  readonly spoolTimer: NodeJS.Timeout;
  readonly checks: CheckSet;
  readonly maintenance: MaintenanceView;
  readonly limiter: Limiter;
  readonly http: HttpServer;
  readonly port: number;
  readonly agent: AgentRuntime | null;
  readonly agentState: Agent | null;
}

/** Starts the daemon: takes the pidfile, binds the HTTP port, starts the checks. */
export async function startDaemon(initial: LoadedConfig, options: DaemonOptions): Promise<Daemon> {
  const { logger } = options;
  const tracker = createProcessTracker();
  // Looked up once: `user` takes a restart, so a reload cannot switch checks to another user.
  const credentials = checkCredentials(initial.config.daemon.user);
  const pidfile = acquirePidfile(initial.config.daemon.pidfile, logger);
  // A crash from here on kills the checks' groups, releases the pidfile, logs, exits 70.
  const uninstallCrash = installCrashHandler({
    logger,
    cleanup: () => {
      tracker.killAll();
      pidfile.release();
    },
  });
  let drain: MaintenanceFlag | null = null;
  let runtime!: Runtime;
  const metrics = createMetrics({
    checks: () => runtime.checks.all.map((runner) => toReport(runner.snapshot())),
    maintenance: () => runtime.maintenance.active().map((entry) => scopeFile(entry.scope)),
    logLinesDropped: () => droppedLogLines(logger),
  });
  const deps: RuntimeDeps = { tracker, logger, metrics, credentials, drain: () => drain };
  try {
    runtime = await startRuntime(initial.config, deps);
  } catch (error) {
    pidfile.release();
    uninstallCrash();
    throw error;
  }
  runtime.checks.start();
  logStart(logger, runtime, pidfile);

  let stopping: Promise<void> | null = null;
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  const stop = (): Promise<void> => {
    if (stopping) return stopping;
    stopping = (async () => {
      // A reload under way finishes first, so the stop closes what it bound.
      await reloading;
      drain = drainFlag(runtime.config.daemon.shutdownDelayMs);
      await shutdown(runtime, tracker, pidfile, logger);
      uninstallCrash();
      markStopped();
    })();
    return stopping;
  };
  let reloading: Promise<unknown> = Promise.resolve();
  const reload = async (): Promise<void> => {
    if (stopping) return;
    const next = reloadRuntime(runtime, options, deps);
    reloading = next.catch(() => undefined);
    runtime = await next;
  };
  const abort = (): void => {
    tracker.killAll();
    pidfile.release();
    logger.warn('second signal: stopped at once');
  };
  return { port: () => runtime.port, stop, reload, abort, stopped };
}

interface RuntimeDeps {
  readonly tracker: ProcessTracker;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Who checks run as (from `user` at start), or null for the daemon's own user. */
  readonly credentials: Credentials | null;
  /** Set while stopping: every endpoint answers maintenance. */
  readonly drain: () => MaintenanceFlag | null;
}

function drainFlag(delayMs: number): MaintenanceFlag {
  const since = Date.now();
  return { reason: 'shutting down', since, until: since + delayMs, by: 'healthcheckd' };
}

async function startRuntime(
  config: ResolvedConfig,
  deps: RuntimeDeps,
  previous?: Runtime,
): Promise<Runtime> {
  const settings = config.daemon;
  const limiter =
    previous && previous.config.daemon.maxConcurrent === settings.maxConcurrent
      ? previous.limiter
      : createLimiter(settings.maxConcurrent);
  const execute = executorFor(settings, deps.tracker, deps.credentials, limiter);
  const onResult = (definition: CheckDefinition, result: RunResult): void =>
    deps.metrics.observeRun(definition.name, result);
  const checks = createCheckSet(
    config.checks,
    { execute, logger: deps.logger, onResult },
    previous?.checks,
  );
  const view = createMaintenanceView(settings.spoolDir, deps.logger);
  const maintenance = (names: readonly string[]): MaintenanceFlag | null =>
    deps.drain() ?? view.affecting(names);
  const listener = createListener(config, checks, maintenance, deps);
  const agent = createAgentFor(config, checks, maintenance, execute, deps.logger);
  let bound: Bound;
  try {
    bound = await bind(config, listener, agent, deps.logger, previous);
  } catch (error) {
    agent?.stop();
    throw error;
  }
  bound.http.setListener(listener);
  if (agent && bound.agent) bound.agent.server.setLine(agent.line);
  const spoolTimer = setInterval(() => {
    view.poll();
    for (const runner of checks.all) runner.noticeStale();
  }, spoolPollMs).unref();
  return { config, checks, maintenance: view, spoolTimer, limiter, ...bound, agentState: agent };
}

function createListener(
  config: ResolvedConfig,
  checks: CheckSet,
  maintenance: (names: readonly string[]) => MaintenanceFlag | null,
  deps: RuntimeDeps,
) {
  const settings = config.daemon;
  return createHandler({
    isGroup: (name) => checks.byGroup.has(name),
    respond: createResponder({
      checks,
      statusCodes: settings.statusCodes,
      exposeOutput: settings.exposeOutput,
      maintenance,
      metrics: async () => ({
        text: await deps.metrics.render(),
        contentType: deps.metrics.contentType,
      }),
    }),
    failClosed: () => failClosedAnswer(settings.statusCodes),
    logger: deps.logger,
    onAnswer: deps.metrics.observeAnswer,
  });
}

/** The HAProxy agent for `[agent]`: maintenance, the aggregate and the weight on one line. */
function createAgentFor(
  config: ResolvedConfig,
  checks: CheckSet,
  maintenance: (names: readonly string[]) => MaintenanceFlag | null,
  execute: (definition: CheckDefinition) => Promise<RunResult>,
  logger: Logger,
): Agent | null {
  const settings = config.agent;
  if (!settings) return null;
  const names = config.checks.map((check) => check.name);
  const weightCheck =
    settings.weight.kind === 'command' ? weightDefinition(config, settings.weight.command) : null;
  return createAgent({
    settings,
    report: () => evaluate(checks.all, { bypassCache: false }),
    maintenance: () => maintenance(names),
    exposeOutput: config.daemon.exposeOutput,
    ...(weightCheck ? { runWeightCommand: () => execute(weightCheck) } : {}),
    logger,
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

interface Bound {
  readonly http: HttpServer;
  readonly port: number;
  readonly agent: AgentRuntime | null;
}

interface AgentRuntime {
  readonly server: AgentServer;
  readonly port: number;
  readonly bind: string;
}

/**
 * Binds what is new (the HTTP port, the agent port) and reuses what did not move; when a bind
 * fails, whatever this call bound is closed again and the error goes up.
 */
async function bind(
  config: ResolvedConfig,
  listener: Parameters<typeof createHttpServer>[0],
  agent: Agent | null,
  logger: Logger,
  previous?: Runtime,
): Promise<Bound> {
  const { port, bind: host } = config.daemon;
  const old = previous?.config.daemon;
  const sameHttp = previous && old?.port === port && old.bind === host;
  if (sameHttp)
    return {
      http: previous.http,
      port: previous.port,
      agent: await bindAgent(config, agent, logger, previous),
    };
  const http = createHttpServer(listener);
  const oldHttp =
    previous && old?.port === port
      ? {
          close: () => previous.http.close(closeGraceMs),
          reopen: () => previous.http.listen(previous.port, old.bind),
        }
      : null;
  const boundPort = await listenReplacing(() => http.listen(port, host), oldHttp);
  try {
    return { http, port: boundPort, agent: await bindAgent(config, agent, logger, previous) };
  } catch (error) {
    await http.close(0);
    if (oldHttp && previous && !previous.http.server.listening)
      await oldHttp.reopen().catch(() => undefined);
    throw error;
  }
}

/**
 * Listens on a new address. When only the address changed (bind 127.0.0.1 to 0.0.0.0 on the
 * same port) the server being replaced still holds the port: it is closed first and, if the
 * new address still fails, opened again where it was.
 */
async function listenReplacing(
  listen: () => Promise<number>,
  old: { readonly close: () => Promise<void>; readonly reopen: () => Promise<unknown> } | null,
): Promise<number> {
  try {
    return await listen();
  } catch (error) {
    if (!old || !isAddressInUse(error)) throw error;
    await old.close();
    try {
      return await listen();
    } catch (again) {
      await old.reopen().catch(() => undefined);
      throw again;
    }
  }
}

async function bindAgent(
  config: ResolvedConfig,
  agent: Agent | null,
  logger: Logger,
  previous?: Runtime,
): Promise<AgentRuntime | null> {
  if (!agent || !config.agent) return null;
  const { port } = config.agent;
  const host = config.daemon.bind;
  const old = previous?.agent;
  if (old && old.port === port && old.bind === host) return old;
  const timeoutMs = Math.max(5_000, ...config.checks.map((check) => check.timeoutMs)) + 1_000;
  const server = createAgentServer({ line: agent.line, logger, timeoutMs });
  const replacing =
    old && old.port === port
      ? { close: () => old.server.close(), reopen: () => old.server.listen(old.port, old.bind) }
      : null;
  return {
    server,
    port: await listenReplacing(() => server.listen(port, host), replacing),
    bind: host,
  };
}

async function reloadRuntime(
  current: Runtime,
  options: DaemonOptions,
  deps: RuntimeDeps,
): Promise<Runtime> {
  const { logger } = options;
  let config: ResolvedConfig;
  try {
    config = options.load().config;
  } catch (error) {
    logReloadError(logger, error, 'invalid config');
    return current;
  }
  let next: Runtime;
  try {
    next = await startRuntime(config, deps, current);
  } catch (error) {
    logReloadError(logger, error, 'cannot apply config');
    return current;
  }
  current.checks.stop();
  clearInterval(current.spoolTimer);
  current.agentState?.stop();
  next.checks.start();
  if (current.agent && next.agent !== current.agent) await current.agent.server.close();
  if (next.http !== current.http) await current.http.close(closeGraceMs);
  applyLogLevel(logger, config);
  warnRestartOnly(logger, current.config, config);
  logger.info(
    { address: address(next), checks: config.checks.map((check) => check.name) },
    'config reloaded',
  );
  return next;
}

async function shutdown(
  runtime: Runtime,
  tracker: ProcessTracker,
  pidfile: Pidfile,
  logger: Logger,
): Promise<void> {
  const delay = runtime.config.daemon.shutdownDelayMs;
  if (delay > 0) {
    logger.info({ shutdownDelayMs: delay }, 'stopping: answering maintenance before closing');
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  await Promise.all([runtime.http.close(closeGraceMs), runtime.agent?.server.close()]);
  runtime.checks.stop();
  runtime.agentState?.stop();
  clearInterval(runtime.spoolTimer);
  tracker.killAll();
  pidfile.release();
  logger.info('stopped');
}

function address(runtime: Runtime): string {
  const host = runtime.config.daemon.bind;
  return `http://${urlHost(host)}:${runtime.port}`;
}

function logStart(logger: Logger, runtime: Runtime, pidfile: Pidfile): void {
  const user = runtime.config.daemon.user;
  if (user !== null && process.getuid?.() !== 0) {
    logger.warn(
      { user },
      `user = ${user} ignored: not started as root, checks run as this process's user`,
    );
  }
  const checks = runtime.config.checks.map((check) => check.name);
  logger.info(
    {
      address: address(runtime),
      pid: process.pid,
      pidfile: pidfile.path,
      checks,
      config: runtime.config.file,
    },
    `healthcheckd listening on ${address(runtime)}`,
  );
}

function logReloadError(logger: Logger, error: unknown, what: string): void {
  if (!(error instanceof HealthcheckdError)) throw error;
  logger.error(
    { problems: error.details },
    `reload refused (${what}), keeping the running config: ${[error.message, ...error.details].join('; ')}`,
  );
}

function applyLogLevel(logger: Logger, config: ResolvedConfig): void {
  logger.level = config.daemon.logLevel;
}

function warnRestartOnly(logger: Logger, before: ResolvedConfig, after: ResolvedConfig): void {
  const keys = ['pidfile', 'logFormat', 'user'] as const;
  const changed = keys.filter((key) => before.daemon[key] !== after.daemon[key]);
  if (changed.length > 0) {
    logger.warn({ changed }, `changes to ${changed.join(', ')} take effect after a restart`);
  }
}
