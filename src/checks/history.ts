import type { FlapReport, HistoryResult, RunResult, StateChange, Status } from '../types.js';
import { firstLine } from '../util/text.js';
import { flapStopRatio, flapWindow, nextFlapping, percentStateChange } from './flapping.js';
import { createRing } from './ring.js';
import type { CheckState } from './state.js';

/** How many results and how many state changes a check keeps (DESIGN §10). */
export const historyLength = 20;
/** A kept result's first line of output is cut to this many characters. */
export const resultOutputChars = 200;
/** A kept state change's output is cut to this many characters. */
export const changeOutputChars = 1024;

/** What a check's history holds now, for answers; the same object until the next result. */
export interface HistoryView {
  readonly results: readonly HistoryResult[];
  readonly changes: readonly StateChange[];
  readonly flap: FlapReport | null;
}

/** What a result did to flapping: started, stopped, or neither (null). */
export type FlapEvent = { readonly kind: 'started' | 'stopped'; readonly percent: number } | null;

/**
 * The recent past of one check, in memory and bounded: its last results and state changes (20
 * each) and the statuses flap detection reads (21). Owned by the check's runner and handed to
 * the runner that replaces it when a reload leaves the check unchanged.
 */
export interface CheckHistory {
  /** Records a run and the state change it caused, if any; says whether flapping began or ended. */
  readonly record: (result: RunResult, before: CheckState, after: CheckState) => FlapEvent;
  readonly view: () => HistoryView;
}

/** Creates an empty history; `flapThresholdPercent` null turns flap detection off. */
export function createHistory(flapThresholdPercent: number | null): CheckHistory {
  const results = createRing<HistoryResult>(historyLength);
  const changes = createRing<StateChange>(historyLength);
  const statuses = createRing<Status>(flapWindow);
  let flap: FlapReport | null =
    flapThresholdPercent === null
      ? null
      : {
          percent: 0,
          flapping: false,
          thresholdPercent: flapThresholdPercent,
          stopBelowPercent: flapThresholdPercent * flapStopRatio,
        };
  // Built once per result, not per request: answers read it on the hot path.
  let view: HistoryView = { results: [], changes: [], flap };

  const judge = (): FlapEvent => {
    if (flap === null) return null;
    const was = flap.flapping;
    const percent = Math.round(percentStateChange(statuses.items()) * 10) / 10;
    const flapping = nextFlapping(was, percent, flap.thresholdPercent);
    flap = { ...flap, percent, flapping };
    if (flapping === was) return null;
    return { kind: flapping ? 'started' : 'stopped', percent };
  };

  return {
    record(result, before, after) {
      results.push(keptResult(result));
      statuses.push(result.status);
      if (after.status !== before.status && after.status !== 'pending') {
        changes.push({
          from: before.status,
          to: after.status,
          time: result.time,
          output: detached(result.output, changeOutputChars),
        });
      }
      const event = judge();
      view = { results: results.items(), changes: changes.items(), flap };
      return event;
    },
    view: () => view,
  };
}

function keptResult(result: RunResult): HistoryResult {
  return {
    status: result.status,
    time: result.time,
    durationMs: result.durationMs,
    exitCode: result.exitCode,
    httpStatus: result.httpStatus,
    signal: result.signal,
    timedOut: result.timedOut,
    output: detached(firstLine(result.output), resultOutputChars),
  };
}

/**
 * `text` cut to `max` characters, in a string of its own: V8 may make a slice that keeps the
 * whole 4 KiB output alive, and the history would then hold 40 of them per check.
 */
function detached(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return Buffer.from(cut, 'utf8').toString('utf8');
}
