/** The signals a daemon handles itself; until it does, the entry point holds them. */
const heldSignals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
type HeldSignal = (typeof heldSignals)[number];

const signalNumbers: Readonly<Record<HeldSignal, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** Marks the entry point's handlers among the process's listeners, so they can be found again. */
const earlyMark = Symbol.for('healthcheckd.early-signal-handler');

/** The entry point's signal handlers while the program loads. */
export interface EarlySignals {
  /**
   * The command is known. The daemon (`run`) keeps them until its own handlers are installed
   * (handOverSignals); any other command gets the default dispositions back, or exits 129 when
   * a SIGHUP came while it loaded (what the default would have done).
   */
  readonly dispatch: (daemon: boolean) => void;
}

/**
 * Installs SIGTERM/SIGINT/SIGHUP handlers before anything else loads, so that no signal takes
 * Node's default action (SIGHUP would end a daemon that is still loading). While nothing has
 * been started, SIGTERM/SIGINT exit at once with 128+n; a SIGHUP is remembered, and for the
 * daemon it is covered by the config load still to come.
 */
export function holdSignals(
  exit: (code: number) => void = (code) => process.exit(code),
): EarlySignals {
  let hangup = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signal === 'SIGHUP') hangup = true;
    else exit(128 + signalNumbers[signal as HeldSignal]);
  };
  Object.defineProperty(onSignal, earlyMark, { value: true });
  for (const signal of heldSignals) process.on(signal, onSignal);
  return {
    dispatch(daemon) {
      if (daemon) return;
      if (hangup) exit(128 + signalNumbers.SIGHUP);
      handOverSignals();
    },
  };
}

/**
 * Removes the entry point's handlers (a no-op when there are none). The daemon calls it right
 * after installing its own, so that no signal falls between the two.
 */
export function handOverSignals(): void {
  for (const signal of heldSignals) {
    for (const listener of process.listeners(signal)) {
      if (earlyMark in listener) process.off(signal, listener);
    }
  }
}
