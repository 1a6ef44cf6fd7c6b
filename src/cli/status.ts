import { locate } from './command-config.js';
import type { CliIo } from './io.js';
import type { Args } from './parser.js';
import { collectStatus, formatStatus, statusExitCode } from './status-client.js';

/** `status`: the maintenance flags and the running daemon's answer; exits as Nagios would. */
export async function status(args: Args, io: CliIo): Promise<number> {
  const config = locate(args);
  const report = await collectStatus(config);
  io.stdout(formatStatus(report));
  return statusExitCode(report);
}
