import { constants } from 'node:os';

/** The signals that interrupt a one-shot command: Ctrl-C, a supervisor's stop, a closed terminal. */
export const interruptSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export type InterruptSignal = (typeof interruptSignals)[number];

/** The exit code of a command stopped by `signal`, as shells report it: 128 + its number. */
export function interruptedExitCode(signal: InterruptSignal): number {
  return 128 + constants.signals[signal];
}

/**
 * Calls `onSignal` at the first of SIGINT, SIGTERM or SIGHUP instead of letting it end the
 * process; returns the function that puts the default handling back.
 */
export function onInterrupt(onSignal: (signal: InterruptSignal) => void): () => void {
  let fired = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (fired) return;
    fired = true;
    onSignal(signal as InterruptSignal);
  };
  for (const signal of interruptSignals) process.on(signal, handler);
  return () => {
    for (const signal of interruptSignals) process.off(signal, handler);
  };
}
