import type { Logger } from 'pino';
import type { AgentSettings, EndpointReport, RunResult } from '../types.js';
import { agentLine } from './agent-line.js';
import type { CpuSampler } from './cpu.js';
import { failReason } from './reason.js';
import { createWeightSource } from './weight-source.js';

type MaybePromise<T> = T | Promise<T>;

/** What the agent reads to build its line. */
export interface AgentDeps {
  readonly settings: AgentSettings;
  /** The aggregate of all checks, as the HTTP aggregate endpoint evaluates it. */
  readonly report: () => MaybePromise<EndpointReport>;
  /** A maintenance flag on any check (the aggregate holds them all), or the shutdown drain. */
  readonly maintenance: () => MaybePromise<{ readonly reason: string } | null>;
  /** `[healthcheckd] expose_output`: false keeps command output out of `down #<reason>`. */
  readonly exposeOutput: boolean;
  /** Runs the `weight = command:<cmd>` command once; required for that kind. */
  readonly runWeightCommand?: () => Promise<RunResult>;
  readonly logger: Logger;
  /** Default: a sampler of /proc/stat when `weight = cpu`. */
  readonly cpu?: CpuSampler;
}

/** The agent's state, ready for the TCP server. */
export interface Agent {
  /** The line for one connection. Maintenance first, so a flag skips running the checks. */
  readonly line: () => Promise<string>;
  /** Stops the CPU sampler. */
  readonly stop: () => void;
}

/** Composes maintenance, the aggregate and the weight into the agent's line. */
export function createAgent(deps: AgentDeps): Agent {
  const { settings } = deps;
  const weight = createWeightSource({
    ...deps,
    weight: settings.weight,
    minWeight: settings.minWeight,
  });
  const line = async (): Promise<string> => {
    const base = { maintenanceMode: settings.maintenance, weight: null, reason: '' } as const;
    const maintenance = await deps.maintenance();
    if (maintenance) return agentLine({ ...base, status: 'fail', maintenance });
    const report = await deps.report();
    if (report.status === 'fail') {
      return agentLine({
        ...base,
        status: 'fail',
        maintenance: null,
        reason: failReason(report, deps.exposeOutput),
      });
    }
    return agentLine({
      ...base,
      status: report.status,
      maintenance: null,
      weight: await weight.read(),
    });
  };
  return { line, stop: weight.stop };
}
