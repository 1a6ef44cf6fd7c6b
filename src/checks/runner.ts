import type { Logger } from 'pino';
import { epochNow, monotonicNow, type MonotonicMs } from '../util/clock.js';
import type { CheckDefinition, RunResult } from '../types.js';
import { createChangeLog, type ChangeLog } from './change-log.js';
import { createHistory, type CheckHistory, type FlapEvent, type HistoryView } from './history.js';
import { failedNow } from './result.js';
import { advance, initialState, type CheckState } from './state.js';

/** A check as the rest of the daemon sees it: its definition and its current state. */
export interface CheckSnapshot {
  readonly definition: CheckDefinition;
  readonly state: CheckState;
  /** True when the last result is older than `max_age` (the check then counts as fail). */
  readonly stale: boolean;
  /** The last results and state changes, and flapping. */
  readonly history: HistoryView;
}

export interface ReadOptions {
  /** `Pragma: no-cache`: skip cache_pass/cache_fail (never the run in flight). */
  readonly bypassCache: boolean;
}

/**
 * The runner of one configured check: runs it on request or in the background and keeps its
 * state. (A probe, in this project's words, is the request a load balancer or kubelet sends.)
 */
export interface CheckRunner {
  readonly definition: CheckDefinition;
  /** Background mode answers at once; on-request mode joins or starts a run. */
  readonly read: (options: ReadOptions) => CheckSnapshot | Promise<CheckSnapshot>;
  readonly snapshot: () => CheckSnapshot;
  readonly start: () => void;
  readonly stop: () => void;
  /** Its results and changes (handed, like its state, to the runner that replaces it on reload). */
  readonly history: CheckHistory;
  /** The run in flight, if any (handed to the runner that replaces this one on reload). */
  readonly running: () => RunInFlight | null;
  /** Logs, once, a last result that has just grown older than max_age (it now counts as fail). */
  readonly noticeStale: () => void;
}

/** A run under way: its snapshot to come, and when it started (its timeout runs from there). */
export interface RunInFlight {
  readonly done: Promise<CheckSnapshot>;
  readonly startedAt: MonotonicMs;
}

export interface RunnerDeps {
  readonly execute: (definition: CheckDefinition) => Promise<RunResult>;
  readonly logger: Logger;
  /** Called after every run (metrics). */
  readonly onResult?: (definition: CheckDefinition, result: RunResult) => void;
  /** The monotonic clock (injectable for tests). */
  readonly now?: () => MonotonicMs;
  readonly random?: () => number;
}

/** Creates the runner for one check; `previous`, `running` and `kept` carry it over a reload. */
export function createRunner(
  definition: CheckDefinition,
  deps: RunnerDeps,
  previous?: CheckState,
  running?: RunInFlight | null,
  kept?: CheckHistory,
): CheckRunner {
  const now = deps.now ?? monotonicNow;
  let state = previous ?? initialState(epochNow());
  const history = kept ?? createHistory(definition.flapThresholdPercent);
  let inFlight: RunInFlight | null = null;
  // A run handed over by the runner this one replaces (reload): joined, never run twice.
  if (running) {
    const done = running.done
      .then((finished) => {
        state = finished.state;
        return snapshot();
      })
      .finally(() => (inFlight = null));
    inFlight = { done, startedAt: running.startedAt };
  }
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let staleLogged = false;
  const flapping = (): boolean => history.view().flap?.flapping ?? false;
  const changes = createChangeLog(definition.name, deps.logger, now, flapping);

  const snapshot = (): CheckSnapshot => ({
    definition,
    state,
    stale: isStale(definition, state, inFlight, now()),
    history: history.view(),
  });

  const run = (): Promise<CheckSnapshot> => {
    if (inFlight) return inFlight.done;
    const startedAt = now();
    const done = deps
      .execute(definition)
      .catch((error: unknown) => internalFailure(error))
      .then((result) => {
        const before = state;
        state = advance(state, result, definition.rise, definition.fall);
        const flap = history.record(result, before, state);
        logRun(deps.logger, changes, definition, { before, after: state, result, flap });
        deps.onResult?.(definition, result);
        return snapshot();
      })
      .finally(() => (inFlight = null));
    inFlight = { done, startedAt };
    return done;
  };

  const schedule = (): void => {
    if (stopped || definition.intervalMs === null) return;
    const jitter = 1 - 0.1 * (deps.random ?? Math.random)();
    timer = setTimeout(() => void run().then(schedule), definition.intervalMs * jitter);
    timer.unref();
  };

  return {
    definition,
    read(options) {
      if (definition.intervalMs !== null) return snapshot();
      if (!options.bypassCache && isFresh(definition, state, now())) return snapshot();
      return run();
    },
    snapshot,
    history,
    start() {
      if (definition.intervalMs !== null) void run().then(schedule);
    },
    running: () => inFlight,
    noticeStale() {
      const stale = isStale(definition, state, inFlight, now());
      if (stale && !staleLogged) {
        const ageMs = state.last ? Math.round(now() - state.last.endedAt) : 0;
        deps.logger.warn(
          { check: definition.name, ageMs, maxAgeMs: definition.maxAgeMs },
          `check ${definition.name} is stale: no result for ${ageMs} ms (max_age ${definition.maxAgeMs} ms), counts as fail`,
        );
      }
      staleLogged = stale;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      changes.close();
    },
  };
}

/** A run that threw is a programmer's mistake, and still a failure, never a wedged check. */
function internalFailure(error: unknown): RunResult {
  return failedNow(`[internal error: ${(error as Error).message ?? String(error)}]`);
}

/**
 * True when the last result is older than max_age and no run is under way within its timeout:
 * a run in flight will bring a result (or a timeout's fail) by its deadline, so a check that
 * is slow but within its timeout does not count as fail between runs.
 */
function isStale(
  definition: CheckDefinition,
  state: CheckState,
  inFlight: RunInFlight | null,
  now: MonotonicMs,
): boolean {
  if (definition.maxAgeMs === null || state.last === null) return false;
  if (inFlight !== null && now - inFlight.startedAt <= definition.timeoutMs) return false;
  return now - state.last.endedAt > definition.maxAgeMs;
}

function isFresh(definition: CheckDefinition, state: CheckState, now: MonotonicMs): boolean {
  const last = state.last;
  if (last === null) return false;
  const ttl = last.status === 'pass' ? definition.cachePassMs : definition.cacheFailMs;
  return now - last.endedAt < ttl;
}

/** One run as the log sees it: the state before and after, the result, what it did to flapping. */
interface LoggedRun {
  readonly before: CheckState;
  readonly after: CheckState;
  readonly result: RunResult;
  readonly flap: FlapEvent;
}

/**
 * A run that changes the state is logged (or counted, when the check flaps); others at debug.
 * With `flap_threshold`, one line says the check started flapping and one that it stopped.
 */
function logRun(logger: Logger, changes: ChangeLog, definition: CheckDefinition, run: LoggedRun) {
  const { before, after, result, flap } = run;
  if (flap === null && after.status === before.status && !logger.isLevelEnabled('debug')) return;
  const detail = {
    check: definition.name,
    result: result.status,
    exitCode: result.exitCode,
    durationMs: Math.round(result.durationMs),
  };
  if (flap !== null)
    return logFlap(logger, changes, definition, { ...detail, to: after.status }, flap);
  if (after.status === before.status) {
    if (logger.isLevelEnabled('debug'))
      logger.debug({ ...detail, output: result.output }, 'check ran');
    return;
  }
  changes.changed(after.status, () => {
    const fields = { ...detail, from: before.status, to: after.status, output: result.output };
    const message = `check ${definition.name} is now ${after.status}`;
    if (after.status === 'pass') logger.info(fields, message);
    else logger.warn(fields, message);
  });
}

/** `check db started flapping (42.5% state change over the last 21 results); now fail`. */
function logFlap(
  logger: Logger,
  changes: ChangeLog,
  definition: CheckDefinition,
  detail: Record<string, unknown> & { readonly to: string },
  flap: NonNullable<FlapEvent>,
): void {
  const { name, flapThresholdPercent } = definition;
  const measure = `${flap.percent}% state change over the last 21 results, flap_threshold ${flapThresholdPercent}%`;
  const fields = { ...detail, percentStateChange: flap.percent, flapping: flap.kind === 'started' };
  if (flap.kind === 'started') {
    changes.flapStarted(() =>
      logger.warn(fields, `check ${name} started flapping (${measure}); now ${detail.to}`),
    );
    return;
  }
  changes.flapStopped((heldBack) => {
    const message = `check ${name} stopped flapping (${measure}) after ${heldBack} state changes not logged; now ${detail.to}`;
    if (detail.to === 'pass') logger.info({ ...fields, changes: heldBack }, message);
    else logger.warn({ ...fields, changes: heldBack }, message);
  });
}
