import { startCheckOnce } from '../checks/run-once.js';
import { loadConfig } from '../config/load.js';
import { healthDocument } from '../http/health-json.js';
import { configFlags, configPath } from './command-config.js';
import { formatReport } from './format-check.js';
import { interruptedExitCode, onInterrupt } from './interrupt.js';
import type { CliIo } from './io.js';
import type { Args } from './parser.js';

/** Exit codes of `check` and `status`, Nagios style. */
const statusExit = { pass: 0, warn: 1, fail: 2 } as const;

/**
 * `check`: runs the checks once and prints them. Stopped by SIGINT, SIGTERM or SIGHUP, it
 * kills the process groups of its runs (they are out of reach of the terminal and of a kill
 * of the CLI's own group) and exits 128 + the signal's number, printing no verdict.
 */
export async function check(args: Args, io: CliIo): Promise<number> {
  const { config } = loadConfig(configPath(args), configFlags(args));
  const names = args.check === undefined ? [] : [args.check].flat();
  const runs = startCheckOnce(config, names);
  let interrupted!: (code: number) => void;
  const stopped = new Promise<number>((resolve) => (interrupted = resolve));
  const uninstall = onInterrupt((signal) => {
    runs.killAll();
    io.stderr(`healthcheckd: check stopped by ${signal}; its commands were killed\n`);
    interrupted(interruptedExitCode(signal));
  });
  try {
    const report = await Promise.race([runs.report, stopped]);
    if (typeof report === 'number') return report;
    const document = healthDocument(report, config.daemon.exposeOutput);
    io.stdout(args.json ? `${JSON.stringify(document, null, 2)}\n` : formatReport(report));
    return statusExit[report.status];
  } finally {
    uninstall();
  }
}
