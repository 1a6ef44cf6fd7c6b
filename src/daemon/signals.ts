import type { Logger } from 'pino';

export interface SignalTargets {
  readonly stop: () => Promise<void>;
  readonly reload: () => Promise<void>;
  /** A second SIGTERM/SIGINT: clean up what can be cleaned at once and exit. */
  readonly abort: () => void;
  readonly logger: Logger;
}

/**
 * SIGTERM/SIGINT stop gracefully, a second one aborts; SIGHUP reloads (one reload at a time,
 * a SIGHUP during a reload runs one more afterwards). Returns a function that uninstalls.
 */
export function installSignals(targets: SignalTargets): () => void {
  let stopping = false;
  let reloading: Promise<void> | null = null;
  let again = false;
  const onStop = (signal: NodeJS.Signals): void => {
    if (stopping) return targets.abort();
    stopping = true;
    targets.logger.info({ signal }, `${signal}: stopping`);
    targets.stop().catch((error: unknown) => targets.logger.error({ err: error }, 'stop failed'));
  };
  const onReload = (): void => {
    if (stopping) return;
    if (reloading) {
      again = true;
      return;
    }
    targets.logger.info({ signal: 'SIGHUP' }, 'SIGHUP: reloading config');
    const reload = targets.reload().catch((error: unknown) => {
      targets.logger.error({ err: error }, 'reload failed; keeping the running config');
    });
    reloading = reload.finally(() => {
      reloading = null;
      if (again) {
        again = false;
        onReload();
      }
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
