import type { Logger } from 'pino';
import type { Agent } from '../agent/agent.js';
import { createAgentServer, type AgentServer } from '../agent/server.js';
import { createCheckSet, type CheckSet } from '../checks/check-set.js';
import type { Credentials } from '../checks/credentials.js';
import { executorFor, type Execute } from '../checks/execute.js';
import { createLimiter, type Limiter } from '../checks/limiter.js';
import type { ProcessTracker } from '../checks/process-tracker.js';
import type { RunnerDeps } from '../checks/runner.js';
import { createMaintenanceView, type MaintenanceView } from '../maintenance/view.js';
import type { MaintenanceFlag, ResolvedConfig } from '../types.js';
import { urlHost } from '../util/listen.js';
import { rebind, unbind, type Binding, type Listening, type Rebound } from './bindings.js';
import {
  agentTimeoutMs,
  createAgentFor,
  createListener,
  type EndpointParts,
  type MaintenanceFor,
} from './endpoints.js';
import { grpcSource, loadGrpc, type GrpcFactory } from './grpc-endpoint.js';
import type { GrpcHealthServer } from '../grpc/server.js';
import { createHttpEndpoint, type HttpEndpoint } from './http-endpoint.js';
import type { Metrics } from './metrics.js';

/** How long answers in flight may take once their server closes (stop, rebind). */
export const closeGraceMs = 2_000;

/** How often the spool and the checks' ages are looked at when no request does it. */
const spoolPollMs = 1_000;

/** What every runtime shares: made once at start, kept across reloads. */
export interface RuntimeDeps {
  readonly tracker: ProcessTracker;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Who checks run as (from `user` at start), or null for the daemon's own user. */
  readonly credentials: Credentials | null;
  /** Set while stopping: every endpoint answers maintenance. */
  readonly drain: () => MaintenanceFlag | null;
}

/** One config at work: its checks, its view of the spool and the servers it answers on. */
export interface Runtime {
  readonly config: ResolvedConfig;
  readonly checks: CheckSet;
  readonly maintenance: MaintenanceView;
  readonly limiter: Limiter;
  readonly http: Binding<HttpEndpoint>;
  readonly agent: Binding<AgentServer> | null;
  /** The gRPC health server, with `[grpc]`. */
  readonly grpc: Binding<GrpcHealthServer> | null;
  /** Starts the checks and the spool poll. */
  readonly start: () => void;
  /** Stops the checks, the spool poll and the agent's sampler; the bindings are closed apart. */
  readonly retire: () => void;
}

/** A runtime ready to serve, and how to close what it replaced once it does. */
export interface Assembled {
  readonly runtime: Runtime;
  readonly commit: (graceMs: number) => Promise<void>;
}

/**
 * Builds the runtime of `config`, bound and answering, not started. From `previous` it takes
 * the state of unchanged checks, the limiter when `max_concurrent` did not change, and the
 * servers whose address did not change; nothing it returns refers to `previous`, so a
 * replaced runtime is garbage once retired. A failure closes what this call bound.
 * @throws HealthcheckdError E_LISTEN when a port cannot be bound
 */
export async function assembleRuntime(
  config: ResolvedConfig,
  deps: RuntimeDeps,
  previous: Runtime | null,
): Promise<Assembled> {
  // No closure in this function may name `previous`: it would share this scope with the
  // runtime's own closures and keep every replaced runtime alive.
  const limiter = keptLimiter(config, previous) ?? createLimiter(config.daemon.maxConcurrent);
  const execute = executorFor(config.daemon, deps.tracker, deps.credentials, limiter);
  const checks = createCheckSet(config.checks, runnerDeps(deps, execute), previous?.checks);
  const view = createMaintenanceView(config.daemon.spoolDir, deps.logger);
  const parts: EndpointParts = { ...deps, config, checks, maintenance: maintenanceFor(deps, view) };
  const agent = createAgentFor(parts, execute);
  let bound: Bound;
  try {
    const grpc = await loadGrpc(config);
    const old: Olds = {
      http: previous?.http ?? null,
      agent: previous?.agent ?? null,
      grpc: previous?.grpc ?? null,
    };
    bound = await bindAll(parts, agent, old, grpc);
  } catch (error) {
    agent?.stop();
    throw error;
  }
  const runtime = runtimeOf(parts, view, limiter, bound, agent);
  return { runtime, commit: bound.commit };
}

function keptLimiter(config: ResolvedConfig, previous: Runtime | null): Limiter | null {
  const same = previous?.config.daemon.maxConcurrent === config.daemon.maxConcurrent;
  return same ? previous.limiter : null;
}

function runnerDeps(deps: RuntimeDeps, execute: Execute): RunnerDeps {
  return {
    execute,
    logger: deps.logger,
    onResult: (definition, result) => deps.metrics.observeRun(definition.name, result),
  };
}

function maintenanceFor(deps: RuntimeDeps, view: MaintenanceView): MaintenanceFor {
  return (names) => deps.drain() ?? view.affecting(names);
}

interface Bound {
  readonly http: Binding<HttpEndpoint>;
  readonly agent: Binding<AgentServer> | null;
  readonly grpc: Binding<GrpcHealthServer> | null;
  readonly commit: (graceMs: number) => Promise<void>;
}

/** The bindings of the runtime replaced (all null at start). */
interface Olds {
  readonly http: Binding<HttpEndpoint> | null;
  readonly agent: Binding<AgentServer> | null;
  readonly grpc: Binding<GrpcHealthServer> | null;
}

/** Binds the HTTP port, then the agent's, then gRPC's; a later failure undoes the earlier. */
async function bindAll(
  parts: EndpointParts,
  agent: Agent | null,
  olds: Olds,
  grpc: GrpcFactory | null,
): Promise<Bound> {
  const { http: oldHttp, agent: oldAgent } = olds;
  const { config, logger } = parts;
  const host = config.daemon.bind;
  const listener = createListener(parts);
  const http = await rebind(
    oldHttp,
    { host, port: config.daemon.port },
    () => createHttpEndpoint(listener),
    closeGraceMs,
  );
  let agentMove: Rebound<AgentServer> | null = null;
  try {
    if (agent && config.agent) {
      const line = agent.line;
      const create = (): AgentServer =>
        createAgentServer({ line, logger, timeoutMs: agentTimeoutMs(config) });
      agentMove = await rebind(oldAgent, { host, port: config.agent.port }, create, closeGraceMs);
      agentMove.binding.server.setLine(line);
    }
  } catch (error) {
    await http.rollback();
    throw error;
  }
  let grpcMove: Rebound<GrpcHealthServer> | null;
  try {
    grpcMove = await bindGrpc(parts, grpc, olds.grpc);
  } catch (error) {
    await agentMove?.rollback();
    await http.rollback();
    throw error;
  }
  http.binding.server.serve(listener);
  const retireAgent = agentMove ? agentMove.commit : closer(oldAgent);
  const retireGrpc = grpcMove ? grpcMove.commit : closer(olds.grpc);
  return {
    http: http.binding,
    agent: agentMove?.binding ?? null,
    grpc: grpcMove?.binding ?? null,
    commit: async (graceMs) =>
      void (await Promise.all([http.commit(graceMs), retireAgent(graceMs), retireGrpc(graceMs)])),
  };
}

/** Moves the gRPC health server to `[grpc]` (null without the section) and to this runtime's state. */
async function bindGrpc(
  parts: EndpointParts,
  grpc: GrpcFactory | null,
  old: Binding<GrpcHealthServer> | null,
): Promise<Rebound<GrpcHealthServer> | null> {
  const settings = parts.config.grpc;
  if (!grpc || !settings) return null;
  const source = grpcSource(parts);
  const move = await rebind(
    old,
    { host: settings.bind, port: settings.port },
    () => grpc(source),
    closeGraceMs,
  );
  move.binding.server.serve(source);
  return move;
}

function closer(binding: Binding<Listening> | null): (graceMs: number) => Promise<void> {
  return (graceMs) => (binding ? unbind(binding, graceMs) : Promise.resolve());
}

function runtimeOf(
  parts: EndpointParts,
  view: MaintenanceView,
  limiter: Limiter,
  bound: Bound,
  agent: Agent | null,
): Runtime {
  const { config, checks } = parts;
  let spoolTimer: NodeJS.Timeout | undefined;
  return {
    config,
    checks,
    maintenance: view,
    limiter,
    http: bound.http,
    agent: bound.agent,
    grpc: bound.grpc,
    start() {
      checks.start();
      spoolTimer = setInterval(() => {
        view.poll();
        for (const runner of checks.all) runner.noticeStale();
      }, spoolPollMs).unref();
    },
    retire() {
      checks.stop();
      clearInterval(spoolTimer);
      agent?.stop();
    },
  };
}

/** The URL the runtime answers on, for the logs: `http://127.0.0.1:9999`. */
export function httpAddress(runtime: Runtime): string {
  return `http://${urlHost(runtime.http.asked.host)}:${runtime.http.port}`;
}
