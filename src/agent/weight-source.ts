import type { Logger } from 'pino';
import type { AgentSettings, RunResult } from '../types.js';
import { createCpuSampler, weightFromIdle, type CpuSampler } from './cpu.js';
import { weightFromCommand } from './weight-command.js';

/** Where the weight comes from (`weight = cpu` or `command:...`) and how to run it. */
export interface WeightSourceDeps {
  readonly weight: AgentSettings['weight'];
  readonly minWeight: number;
  /** Runs the `weight = command:<cmd>` command once; required for that kind. */
  readonly runWeightCommand?: () => Promise<RunResult>;
  readonly logger: Logger;
  /** Default: a sampler of /proc/stat, created for `weight = cpu`. */
  readonly cpu?: CpuSampler;
}

/** Where `up ready N%` gets its N. */
export interface WeightSource {
  /** Percent, or null when there is no weight to send (`none`, or CPU not measured yet). */
  readonly read: () => number | null | Promise<number | null>;
  readonly stop: () => void;
}

/** Creates the weight source `[agent] weight` asks for. */
export function createWeightSource(deps: WeightSourceDeps): WeightSource {
  const { weight } = deps;
  if (weight.kind === 'cpu') return cpuWeight(deps);
  if (weight.kind === 'command') return commandWeight(deps);
  return { read: () => null, stop: () => undefined };
}

/**
 * Until two samples exist (the first second) the weight is left out: HAProxy then keeps the
 * weight it has, which beats guessing.
 */
function cpuWeight(deps: WeightSourceDeps): WeightSource {
  const cpu =
    deps.cpu ??
    createCpuSampler({
      onError: (error) =>
        deps.logger.warn(`agent: cannot measure idle CPU, sending no weight: ${error.message}`),
    });
  return {
    read: () => {
      const idle = cpu.idlePercent();
      return idle === null ? null : weightFromIdle(idle, deps.minWeight);
    },
    stop: cpu.stop,
  };
}

/** Concurrent connections share one run of the command; a problem is logged when it changes. */
function commandWeight(deps: WeightSourceDeps): WeightSource {
  const run = deps.runWeightCommand;
  if (!run) throw new Error('createWeightSource: weight = command needs runWeightCommand');
  let inFlight: Promise<number> | null = null;
  let lastProblem: string | null = null;
  const measure = async (): Promise<number> => {
    const reading = await weightFromCommand(run, deps.minWeight);
    if (reading.problem !== lastProblem) {
      if (reading.problem) {
        deps.logger.warn(`agent: ${reading.problem}; sending min_weight ${deps.minWeight}%`);
      } else deps.logger.info(`agent: weight command works again (${reading.weight}%)`);
      lastProblem = reading.problem;
    }
    return reading.weight;
  };
  return {
    read: () => {
      inFlight ??= measure().finally(() => (inFlight = null));
      return inFlight;
    },
    stop: () => undefined,
  };
}
