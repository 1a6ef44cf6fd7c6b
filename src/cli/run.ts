import { loadConfig, type LoadedConfig } from '../config/load.js';
import { startDaemon, type Daemon } from '../daemon/daemon.js';
import { createLogger, flushLog } from '../daemon/logging.js';
import { installSignals } from '../daemon/signals.js';
import { exitCodes } from '../errors.js';
import { configFlags, configPath } from './command-config.js';
import { handOverSignals } from './early-signals.js';
import type { CliIo } from './io.js';
import type { Args } from './parser.js';

/** `run`: starts the daemon and resolves with its exit code once it has stopped. */
export async function run(args: Args, io: CliIo): Promise<number> {
  const file = configPath(args);
  const flags = configFlags(args);
  const load = (): LoadedConfig => loadConfig(file, flags);
  const initial = load();
  const { logLevel, logFormat } = initial.config.daemon;
  const logger = await createLogger(logLevel, logFormat);
  for (const correction of initial.corrections) {
    logger.debug(correction, 'config value read from the raw line, not as the ini package read it');
  }
  for (const warning of initial.warnings) logger.warn({ warning }, warning);
  // Signals are handled from the start: one that arrives while the daemon starts waits for
  // it (a stop then stops it; a reload re-reads the config) instead of killing the process
  // with its pidfile left behind.
  let started: Daemon | null = null;
  const starting = startDaemon(initial, { load, logger }).then((daemon) => (started = daemon));
  const uninstall = installSignals({
    stop: async () => (await starting).stop(),
    reload: async () => (await starting).reload(),
    abort: () => {
      started?.abort();
      io.exit(exitCodes.runtime);
    },
    logger,
  });
  handOverSignals(); // the entry point's early handlers step aside (src/cli/early-signals.ts)
  try {
    await (
      await starting
    ).stopped;
  } finally {
    uninstall();
    await flushLog(logger); // what a stalled stderr reader has not taken waits 0.5 s at most
  }
  return exitCodes.ok;
}
