import { commands } from './commands.js';
import type { EarlySignals } from './early-signals.js';
import type { CliIo } from './io.js';
import { parseCommandLine } from './parser.js';
import { HealthcheckdError, exitCodes } from '../errors.js';

export type { CliIo } from './io.js';

const defaultIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/**
 * Runs the CLI and resolves with the exit code; operator mistakes become one-line errors.
 * `early` are the entry point's signal handlers, released once the command is known.
 */
export async function main(
  argv: readonly string[],
  io: CliIo = defaultIo,
  early?: EarlySignals,
): Promise<number> {
  try {
    const action = await parseCommandLine(argv);
    early?.dispatch(action?.name === 'run');
    if (action === null) return exitCodes.ok;
    const command = await commands[action.name]();
    return await command(action.args, io);
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof HealthcheckdError) {
    const details = error.details.map((line) => `  ${line}\n`).join('');
    io.stderr(`healthcheckd: ${error.message}\n${details}`);
    return error.exitCode;
  }
  io.stderr(`healthcheckd: internal error: ${(error as Error).stack ?? String(error)}\n`);
  return exitCodes.runtime;
}

/** Entry point for the `healthcheckd` bin: the one place that exits the process. */
export function cli(io: CliIo = defaultIo, early?: EarlySignals): void {
  void main(process.argv.slice(2), io, early).then((code) => io.exit(code));
}
