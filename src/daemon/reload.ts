import { join } from 'node:path';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import { HealthcheckdError } from '../errors.js';
import type { ResolvedConfig } from '../types.js';
import {
  assembleRuntime,
  closeGraceMs,
  httpAddress,
  type Runtime,
  type RuntimeDeps,
} from './runtime.js';

/** Reloads one at a time: the one place that serialises them. */
export interface ReloadQueue {
  /**
   * Asks for a reload. None under way: it starts now. One under way: one more runs after it
   * (asked again meanwhile, still one). Resolves once the reload that covers this ask ran.
   */
  readonly request: () => Promise<void>;
  /** No reload starts any more; resolves once the one under way, if any, has finished. */
  readonly close: () => Promise<void>;
}

/** Creates the queue around `run`, one reload. */
export function createReloadQueue(run: () => Promise<void>): ReloadQueue {
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  let closed = false;
  const start = (): Promise<void> => {
    running = run().finally(() => (running = null));
    return running;
  };
  const next = (): Promise<void> | undefined => {
    queued = null;
    return closed ? undefined : start();
  };
  return {
    request() {
      if (closed) return Promise.resolve();
      if (!running) return start();
      queued ??= running.then(next, next);
      return queued;
    },
    async close() {
      closed = true;
      await Promise.allSettled([running, queued]);
    },
  };
}

/**
 * One reload: re-reads the config and moves to it. An invalid config, or one whose ports
 * cannot be bound, is logged and `current` stays; otherwise `current` is retired, its
 * replaced servers closed, and the new runtime returned.
 */
export async function reloadRuntime(
  current: Runtime,
  load: () => LoadedConfig,
  deps: RuntimeDeps,
): Promise<Runtime> {
  const { logger } = deps;
  let config: ResolvedConfig;
  try {
    const loaded = load();
    config = loaded.config;
    for (const warning of loaded.warnings) logger.warn({ warning }, warning);
  } catch (error) {
    logRefusal(logger, error, 'invalid config');
    return current;
  }
  let next;
  try {
    next = await assembleRuntime(config, deps, current);
  } catch (error) {
    logRefusal(logger, error, 'cannot apply config');
    return current;
  }
  current.retire();
  next.runtime.start();
  await next.commit(closeGraceMs);
  logger.level = config.daemon.logLevel;
  warnRestartOnly(logger, current.config, config);
  const checks = config.checks.map((check) => check.name);
  logger.info({ address: httpAddress(next.runtime), checks }, 'config reloaded');
  return next.runtime;
}

/** A HealthcheckdError refuses the reload; anything else is a bug and goes up. */
function logRefusal(logger: Logger, error: unknown, what: string): void {
  if (!(error instanceof HealthcheckdError)) throw error;
  // The details name each problem with file:line; the message alone when there are none (its
  // "start again" is for a start, not for a reload).
  const problems = error.details.length > 0 ? error.details.join('; ') : error.message;
  logger.error(
    { problems: error.details },
    `reload refused (${what}): ${problems}; the daemon keeps running with its previous config: fix the file and reload again (SIGHUP)`,
  );
}

/** The pidfile a config gets when it names none: `healthcheckd-<port>.pid` in piddir. */
function derivedPidfile(config: ResolvedConfig): string {
  return join(config.daemon.piddir, `healthcheckd-${config.daemon.port}.pid`);
}

/**
 * Warns about the settings a reload cannot apply, naming only those the operator changed: a
 * pidfile that follows the port by default (both configs name none) is not one of them.
 */
export function restartOnlyChanges(before: ResolvedConfig, after: ResolvedConfig): string[] {
  const derived =
    before.daemon.pidfile === derivedPidfile(before) &&
    after.daemon.pidfile === derivedPidfile(after);
  const changed: string[] = [];
  if (before.daemon.pidfile !== after.daemon.pidfile) {
    if (before.daemon.piddir !== after.daemon.piddir) changed.push('piddir');
    else if (!derived) changed.push('pidfile');
  }
  if (before.daemon.logFormat !== after.daemon.logFormat) changed.push('log_format');
  if (before.daemon.user !== after.daemon.user) changed.push('user');
  if (before.daemon.spawnHelper !== after.daemon.spawnHelper) changed.push('spawn_helper');
  return changed;
}

function warnRestartOnly(logger: Logger, before: ResolvedConfig, after: ResolvedConfig): void {
  const changed = restartOnlyChanges(before, after);
  if (changed.length > 0) {
    logger.warn({ changed }, `changes to ${changed.join(', ')} take effect after a restart`);
  }
}
