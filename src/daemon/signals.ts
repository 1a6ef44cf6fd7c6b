import type { Logger } from 'pino';

export interface SignalTargets {
  readonly stop: () => Promise<void>;
  /** Serialises reloads itself (the daemon's reload queue): every SIGHUP is handed to it. */
  readonly reload: () => Promise<void>;
  /** A second SIGTERM/SIGINT: clean up what can be cleaned at once and exit. */
  readonly abort: () => void;
  readonly logger: Logger;
}

/**
 * SIGTERM/SIGINT stop gracefully, a second one aborts; SIGHUP reloads (after a stop began it
 * is ignored). Returns a function that uninstalls the handlers.
 */
export function installSignals(targets: SignalTargets): () => void {
  let stopping = false;
  const onStop = (signal: NodeJS.Signals): void => {
    if (stopping) return targets.abort();
    stopping = true;
    targets.logger.info({ signal }, `${signal}: stopping`);
    targets.stop().catch((error: unknown) => targets.logger.error({ err: error }, 'stop failed'));
  };
  const onReload = (): void => {
    if (stopping) return;
    targets.logger.debug({ signal: 'SIGHUP' }, 'SIGHUP: reload asked');
    targets.reload().catch((error: unknown) => {
      targets.logger.error({ err: error }, 'reload failed; keeping the running config');
    });
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', onReload);
  return () => {
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    process.off('SIGHUP', onReload);
  };
}
