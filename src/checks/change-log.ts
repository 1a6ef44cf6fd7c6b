import type { Logger } from 'pino';
import type { MonotonicMs } from '../util/clock.js';
import type { CheckStatus } from './state.js';

/** State changes of one check logged one by one within a minute; past that they are summarised. */
export const changesLoggedPerMinute = 5;

const minuteMs = 60_000;

/** The state changes of one check, as the log sees them. */
export interface ChangeLog {
  /**
   * A state change to `to`: `log` writes its line (with the output that caused it) unless the
   * check changed state `changesLoggedPerMinute` times in the last minute already; then the
   * change is counted for the summary that closes the minute.
   */
  readonly changed: (to: CheckStatus, log: () => void) => void;
  /**
   * The check started flapping (`flap_threshold`): writes the summary under way, then `log`;
   * from now on changes are only counted, until `flapStopped`.
   */
  readonly flapStarted: (log: () => void) => void;
  /** The check stopped flapping: `log` gets the number of changes held back meanwhile. */
  readonly flapStopped: (log: (heldBack: number) => void) => void;
  /** Writes the summary under way now (the runner stops) and cancels its timer. */
  readonly close: () => void;
}

/**
 * Creates the change log of check `name`. A summary reads "check db changed state 37 times in
 * the last minute; now fail" and comes once a minute while the check keeps flapping; the first
 * changes are logged as they happen. `flapping` says whether the check flaps now
 * (`flap_threshold`; its history, which a reload hands over, knows): its changes are then held
 * back.
 */
export function createChangeLog(
  name: string,
  logger: Logger,
  now: () => MonotonicMs,
  flapping: () => boolean = () => false,
): ChangeLog {
  // When the last few changes happened, logged or not (at most changesLoggedPerMinute).
  const recent: MonotonicMs[] = [];
  let summary: { count: number; to: CheckStatus; timer: NodeJS.Timeout } | null = null;
  // The changes held back since the check started flapping (or this log was made).
  let heldBack = 0;

  const flush = (): void => {
    if (!summary) return;
    const { count, to, timer } = summary;
    summary = null;
    clearTimeout(timer);
    const fields = { check: name, changes: count, to, summarised: true };
    const message = `check ${name} changed state ${count} times in the last minute; now ${to}`;
    if (to === 'pass') logger.info(fields, message);
    else logger.warn(fields, message);
  };

  return {
    changed(to, log) {
      if (flapping()) return void (heldBack += 1);
      const at = now();
      const oldest = recent.length < changesLoggedPerMinute ? undefined : recent[0];
      recent.push(at);
      if (recent.length > changesLoggedPerMinute) recent.shift();
      const frequent = oldest !== undefined && at - oldest < minuteMs;
      if (!frequent && !summary) return log();
      summary ??= { count: 0, to, timer: setTimeout(flush, minuteMs).unref() };
      summary.count += 1;
      summary.to = to;
    },
    flapStarted(log) {
      flush();
      heldBack = 0;
      log();
    },
    flapStopped(log) {
      log(heldBack);
      heldBack = 0;
    },
    close: flush,
  };
}
