import { asMonotonicMs, monotonicNow } from '../util/clock.js';
import type { CheckDefinition, DaemonSettings, RunResult } from '../types.js';
import type { Credentials } from './credentials.js';
import { runCommand, type CommandSpec } from './command.js';
import { directArgv } from './direct-exec.js';
import { runHttpGet } from './http-get.js';
import { createLimiter, type Limiter } from './limiter.js';
import type { ProcessTracker } from './process-tracker.js';
import { failedNow } from './result.js';
import { runTcp } from './tcp.js';

/** What the executor needs besides the check itself. */
export interface ExecuteDeps {
  readonly shell: string;
  readonly limiter: Limiter;
  readonly tracker: ProcessTracker;
  readonly env?: NodeJS.ProcessEnv;
  /** Run commands as this user (set when started as root with `user`). */
  readonly credentials?: Credentials;
}

/** Runs one check once and gives its result; never rejects for a failing check. */
export type Execute = (definition: CheckDefinition) => Promise<RunResult>;

/**
 * The executor for a configuration, as the daemon and `healthcheckd check` both run checks:
 * the configured shell and user, a limiter of `max_concurrent` slots (or the one given, kept
 * across a reload), every process group recorded in `tracker`.
 */
export function executorFor(
  settings: Pick<DaemonSettings, 'shell' | 'maxConcurrent'>,
  tracker: ProcessTracker,
  credentials: Credentials | null,
  limiter: Limiter = createLimiter(settings.maxConcurrent),
): Execute {
  return createExecutor({
    shell: settings.shell,
    limiter,
    tracker,
    ...(credentials ? { credentials } : {}),
  });
}

/** Creates the function that runs a check once: a slot from the limiter, then the check itself. */
export function createExecutor(deps: ExecuteDeps): Execute {
  const specs = new WeakMap<CheckDefinition, CommandSpec>();
  const specFor = (definition: CheckDefinition): CommandSpec => {
    let spec = specs.get(definition);
    if (!spec) {
      spec = commandSpec(definition, deps);
      specs.set(definition, spec);
    }
    return spec;
  };
  return async (definition) => {
    const started = monotonicNow();
    const release = await deps.limiter.acquire(asMonotonicMs(started + definition.timeoutMs));
    if (!release) return noSlot(definition, monotonicNow() - started);
    const timeout = definition.timeoutMs;
    const remaining = Math.max(1, started + timeout - monotonicNow());
    if (definition.kind === 'command') {
      // The slot is held until the command's process group is gone, not only until the
      // answer: a timed-out group still being killed counts against max_concurrent.
      try {
        return await runCommand(specFor(definition), remaining, deps.tracker, timeout, release);
      } catch (error) {
        release();
        throw error;
      }
    }
    try {
      if (definition.kind === 'tcp') return await runTcp(definition.target, remaining, timeout);
      return await runHttpGet(definition.target, definition.expectStatus, remaining, timeout);
    } finally {
      release();
    }
  };
}

function commandSpec(definition: CheckDefinition, deps: ExecuteDeps): CommandSpec {
  return {
    command: definition.target,
    shell: deps.shell,
    argv: directArgv(definition.target),
    env: { ...(deps.env ?? process.env), HEALTHCHECKD_CHECK: definition.name },
    warnExitCodes: definition.warnExitCodes,
    ...(deps.credentials ?? {}),
  };
}

function noSlot(definition: CheckDefinition, waitedMs: number): RunResult {
  return failedNow(
    `[timed out after ${definition.timeoutMs} ms waiting for a free slot (max_concurrent)]`,
    { timedOut: true, durationMs: waitedMs },
  );
}
