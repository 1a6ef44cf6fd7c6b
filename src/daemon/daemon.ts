import type { Logger } from 'pino';
import { toReport } from '../checks/evaluate.js';
import { checkCredentials } from '../checks/credentials.js';
import {
  probeContainment,
  probeContainmentThrough,
  usesPidNamespaces,
  type Containment,
} from '../checks/containment.js';
import { createProcessTracker, type ProcessTracker } from '../checks/process-tracker.js';
import { locateSpawnHelper, startSpawnHelper, type SpawnHelper } from '../checks/spawn-helper.js';
import type { LoadedConfig } from '../config/load.js';
import { shutdownFlag } from '../maintenance/flag.js';
import { epochNow } from '../util/clock.js';
import { urlHost } from '../util/listen.js';
import { scopeName } from '../util/text.js';
import type { MaintenanceFlag } from '../types.js';
import { createMetrics } from './metrics.js';
import { installCrashHandler } from './crash.js';
import { droppedLogLines } from './logging.js';
import { acquirePidfile, type Pidfile } from './pidfile.js';
import { createReloadQueue, reloadRuntime } from './reload.js';
import {
  assembleRuntime,
  closeGraceMs,
  httpAddress,
  type Runtime,
  type RuntimeDeps,
} from './runtime.js';

/** A running daemon. */
export interface Daemon {
  /** The port the HTTP server is bound to. */
  readonly port: () => number;
  /** Graceful stop: drain, stop accepting, finish answers, kill checks, release the pidfile. */
  readonly stop: () => Promise<void>;
  /**
   * Re-reads the config; an invalid one is logged and the old one kept. One reload at a time:
   * asked during one, one more runs after it. Resolves once that reload ran.
   */
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

/**
 * Starts the daemon: takes the pidfile, binds the HTTP port (and the agent's), starts the checks.
 * @throws HealthcheckdError E_ALREADY_RUNNING or E_PIDFILE (the pidfile), E_LISTEN (a port)
 */
export async function startDaemon(initial: LoadedConfig, options: DaemonOptions): Promise<Daemon> {
  const { logger } = options;
  const { helper, containment } = await settleSpawner(
    spawnHelperFor(initial.config.daemon.spawnHelper, logger),
    logger,
  );
  const tracker = createProcessTracker({
    notice: (line) => logger.warn(line),
    helper,
    containment,
  });
  // Looked up once: `user` takes a restart, so a reload cannot switch checks to another user.
  const credentials = checkCredentials(initial.config.daemon.user);
  const pidfile = acquirePidfile(initial.config.daemon.pidfile, logger);
  // A crash from here on kills the checks' groups, releases the pidfile, logs, exits 70.
  const uninstallCrash = installCrashHandler({
    logger,
    cleanup: () => {
      tracker.killAll();
      helper?.close();
      pidfile.release();
    },
  });
  let drain: MaintenanceFlag | null = null;
  let current!: Runtime;
  const deps: RuntimeDeps = {
    tracker,
    logger,
    credentials,
    drain: () => drain,
    metrics: createMetrics({
      checks: () => current.checks.all.map((runner) => toReport(runner.snapshot())),
      maintenance: () => current.maintenance.active().map((flag) => scopeName(flag.scope)),
      logLinesDropped: () => droppedLogLines(logger),
    }),
  };
  try {
    current = (await assembleRuntime(initial.config, deps, null)).runtime;
  } catch (error) {
    pidfile.release();
    uninstallCrash();
    throw error;
  }
  current.start();
  logStart(logger, current, pidfile, tracker);
  const reloads = createReloadQueue(async () => {
    logger.info('reloading config');
    current = await reloadRuntime(current, options.load, deps);
  });
  let stopping: Promise<void> | null = null;
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // A reload under way finishes first, so that the stop closes what it bound.
      await reloads.close();
      drain = shutdownFlag(epochNow(), current.config.daemon.shutdownDelayMs);
      current.grpc?.server.notify();
      await shutdown(current, tracker, pidfile, logger);
      uninstallCrash();
      markStopped();
    })();
    return stopping;
  };
  const abort = (): void => {
    tracker.killAll();
    helper?.close();
    pidfile.release();
    logger.warn('second signal: stopped at once');
  };
  return { port: () => current.http.port, stop, reload: reloads.request, abort, stopped };
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
  await Promise.all([
    runtime.http.server.close(closeGraceMs),
    runtime.agent?.server.close(closeGraceMs),
    runtime.grpc?.server.close(closeGraceMs),
  ]);
  runtime.retire();
  tracker.killAll();
  tracker.helper?.close();
  pidfile.release();
  logger.info('stopped');
}

/**
 * The spawn helper for a `spawn_helper` setting, started; null when it is off, not found, or
 * of no use here (a PID namespace per run starts its runs through nsenter).
 */
function spawnHelperFor(setting: string, logger: Logger): SpawnHelper | null {
  if (setting === 'off' || usesPidNamespaces()) return null;
  const file = locateSpawnHelper(setting);
  if (file === null) {
    if (setting !== 'auto') {
      logger.warn(
        { spawnHelper: setting },
        `spawn_helper = ${setting} is not an executable file of this machine: checks start with Node spawn`,
      );
    }
    return null;
  }
  return startSpawnHelper(file, { warn: (line) => logger.warn(line) });
}

/**
 * The runs' containment, proved through the helper when there is one (no move of the daemon
 * at start); a helper that cannot start runs in their cgroups here is stopped, with a warning.
 */
async function settleSpawner(
  helper: SpawnHelper | null,
  logger: Logger,
): Promise<{ helper: SpawnHelper | null; containment: Containment }> {
  if (helper === null) return { helper, containment: probeContainment() };
  const containment = await probeContainmentThrough(helper);
  if (containment !== null) return { helper, containment };
  helper.close();
  logger.warn(
    { spawnHelper: helper.file },
    'the spawn helper cannot start checks in their cgroups here: checks start with Node spawn',
  );
  return { helper: null, containment: probeContainment() };
}

function logStart(
  logger: Logger,
  runtime: Runtime,
  pidfile: Pidfile,
  tracker: ProcessTracker,
): void {
  const { config } = runtime;
  const user = config.daemon.user;
  if (user !== null && process.getuid?.() !== 0) {
    logger.warn(
      { user },
      `user = ${user} ignored: not started as root, checks run as this process's user`,
    );
  }
  const address = httpAddress(runtime);
  const checks = config.checks.map((check) => check.name);
  const { mode, notice } = tracker.containment;
  if (mode === 'group' && notice !== null) logger.info({ containment: mode }, notice);
  logger.info(
    {
      address,
      pidfile: pidfile.path,
      checks,
      config: config.file,
      containment: mode,
      spawner: tracker.helper?.file ?? 'node',
    },
    `healthcheckd listening on ${address}`,
  );
  if (runtime.grpc) {
    const grpc = `${urlHost(runtime.grpc.asked.host)}:${runtime.grpc.port}`;
    logger.info({ grpc }, `grpc health service on ${grpc}`);
  }
}
