import { asMonotonicMs, monotonicNow } from '../util/clock.js';
import type { CheckDefinition, DaemonSettings, RunResult } from '../types.js';
import { userEnvironment, type Credentials } from './credentials.js';
import { runCommand, type CommandSpec } from './command.js';
import { createDirectExec, type DirectExec } from './direct-exec.js';
import { runHttpGet } from './http-get.js';
import { parsePerfdata } from './perfdata.js';
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
  /**
   * Decides which runs may skip the shell. Default: the shortcut where it cannot change a
   * result, for checks run as the daemon's own user; null: every command through the shell
   * (`healthcheckd check`, whose few runs would not repay learning the shell's environment).
   */
  readonly direct?: DirectExec | null;
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
  options: Pick<ExecuteDeps, 'direct'> = {},
): Execute {
  return createExecutor({
    shell: settings.shell,
    limiter,
    tracker,
    ...(credentials ? { credentials } : {}),
    ...options,
  });
}

/** Creates the function that runs a check once: a slot from the limiter, then the check itself. */
export function createExecutor(deps: ExecuteDeps): Execute {
  const env = { ...(deps.env ?? process.env) };
  const direct = directExecFor(deps, env);
  const specs = new WeakMap<CheckDefinition, CommandSpec>();
  const specFor = (definition: CheckDefinition): CommandSpec => {
    let spec = specs.get(definition);
    if (!spec) {
      spec = commandSpec(definition, deps, env);
      specs.set(definition, spec);
    }
    // Decided at every run: the program file or the PATH may have changed since the last.
    const run = direct.plan(spec.command, spec.env);
    return run === null ? spec : { ...spec, argv: run.argv, file: run.file, env: run.env };
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
        return withPerfdata(
          await runCommand(specFor(definition), remaining, deps.tracker, timeout, release),
        );
      } catch (error) {
        release();
        throw error;
      }
    }
    try {
      if (definition.kind === 'tcp') return await runTcp(definition.target, remaining, timeout);
      const { target, expectStatus, http } = definition;
      return await runHttpGet(target, expectStatus, remaining, timeout, http);
    } finally {
      release();
    }
  };
}

/** A command's result with the performance data of its output, when it has any. */
function withPerfdata(result: RunResult): RunResult {
  const perfdata = parsePerfdata(result.output);
  const any = perfdata.values.length > 0 || perfdata.notes.length > 0;
  return any ? { ...result, perfdata } : result;
}

/**
 * The shortcut applies to checks that run as the daemon's own user: for another user, the
 * shell's PATH search and permission checks would be made with other ids than ours.
 */
function directExecFor(deps: ExecuteDeps, env: NodeJS.ProcessEnv): DirectExec {
  if (deps.direct !== undefined) return deps.direct ?? throughShell;
  if (deps.credentials !== undefined) return throughShell;
  return createDirectExec({ shell: deps.shell, env });
}

const throughShell: DirectExec = { plan: () => null };

/** How a command check runs through the shell: with `user`, as that user, with its HOME. */
function commandSpec(
  definition: CheckDefinition,
  deps: ExecuteDeps,
  env: NodeJS.ProcessEnv,
): CommandSpec {
  const { credentials } = deps;
  return {
    command: definition.target,
    shell: deps.shell,
    argv: null,
    env: {
      ...env,
      ...(credentials ? userEnvironment(credentials) : {}),
      HEALTHCHECKD_CHECK: definition.name,
    },
    warnExitCodes: definition.warnExitCodes,
    ...(credentials ? { uid: credentials.uid, gid: credentials.gid } : {}),
  };
}

function noSlot(definition: CheckDefinition, waitedMs: number): RunResult {
  return failedNow(
    `[timed out after ${definition.timeoutMs} ms waiting for a free slot (max_concurrent)]`,
    { timedOut: true, durationMs: waitedMs },
  );
}
