import type { Logger } from 'pino';
import { flushLog } from './logging.js';

/** EX_SOFTWARE (sysexits.h): the daemon itself failed. */
export const crashExitCode = 70;

export interface CrashTargets {
  readonly logger: Logger;
  /** Kills the checks' process groups and releases the pidfile; synchronous, never waits. */
  readonly cleanup: () => void;
  /** Ends the process; default `process.exit` (tests replace it). */
  readonly exit?: (code: number) => void;
  /** How long the crash line may wait for a slow log reader; default 500 ms. */
  readonly flushMs?: number;
}

/**
 * From now on an uncaught exception or unhandled rejection kills the checks' process groups,
 * releases the pidfile, logs the error on one line and exits 70. Returns a function that
 * uninstalls the handler.
 */
export function installCrashHandler(targets: CrashTargets): () => void {
  const exit = targets.exit ?? ((code: number) => process.exit(code));
  let crashed = false;
  const onCrash = (error: unknown, origin: NodeJS.UncaughtExceptionOrigin): void => {
    // A second fault while the first is handled: the exit is already on its way.
    if (crashed) return;
    crashed = true;
    // Each step is guarded: a throw inside this handler would end the process at once (exit
    // 7), leaving the checks' groups and the pidfile behind.
    const cleanupError = attempt(targets.cleanup);
    attempt(() => logCrash(targets.logger, error, origin, cleanupError));
    void flushLog(targets.logger, targets.flushMs)
      .catch(() => false)
      .finally(() => exit(crashExitCode));
  };
  process.on('uncaughtException', onCrash);
  return () => void process.off('uncaughtException', onCrash);
}

function logCrash(
  logger: Logger,
  error: unknown,
  origin: NodeJS.UncaughtExceptionOrigin,
  cleanupError: unknown,
): void {
  const what = origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception';
  const cleanup =
    cleanupError === undefined
      ? 'checks killed, pidfile released'
      : `cleanup failed too (${describe(cleanupError)})`;
  logger.fatal(
    { err: error, origin, exitCode: crashExitCode },
    `crashed (${what}): ${describe(error)}; ${cleanup}; exiting ${crashExitCode}`,
  );
}

/** Runs `step`; returns what it threw, or undefined. */
function attempt(step: () => void): unknown {
  try {
    step();
    return undefined;
  } catch (error) {
    return error ?? new Error('threw nothing');
  }
}

/** The error on one line: its name and message, newlines folded. */
function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\s*\n\s*/g, ' ');
}
