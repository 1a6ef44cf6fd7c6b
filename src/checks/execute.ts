import { monotonicNow } from '../util/clock.js';
import type { CheckDefinition, RunResult } from '../types.js';
import { runCommand, type CommandSpec } from './command.js';
import { directArgv } from './direct-exec.js';
import { runHttpGet } from './http-get.js';
import type { Limiter } from './limiter.js';
import type { ProcessTracker } from './process-tracker.js';
import { runTcp } from './tcp.js';

export interface ExecuteDeps {
  readonly shell: string;
  readonly limiter: Limiter;
  readonly tracker: ProcessTracker;
  readonly env?: NodeJS.ProcessEnv;
  /** Run commands as this user (set when started as root with `user`). */
  readonly credentials?: { readonly uid: number; readonly gid: number };
}

/** Creates the function that runs a check once: a slot from the limiter, then the check itself. */
export function createExecutor(
  deps: ExecuteDeps,
): (definition: CheckDefinition) => Promise<RunResult> {
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
    const started = Date.now();
    const release = await deps.limiter.acquire(started + definition.timeoutMs);
    if (!release) return noSlot(definition, Date.now() - started);
    const timeout = definition.timeoutMs;
    const remaining = Math.max(1, started + timeout - Date.now());
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
  return {
    status: 'fail',
    exitCode: null,
    signal: null,
    timedOut: true,
    durationMs: waitedMs,
    output: `[timed out after ${definition.timeoutMs} ms waiting for a free slot (max_concurrent)]`,
    finishedAt: monotonicNow(),
  };
}
