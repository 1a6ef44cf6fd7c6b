import type { CliIo } from './io.js';
import type { Args, CommandName } from './parser.js';

/** A command: its arguments and the CLI's io in, an exit code out. */
export type Command = (args: Args, io: CliIo) => number | Promise<number>;

/**
 * Each command, imported when it is chosen: `run` loads the daemon and nothing of `status`'s
 * client or `check`'s text, `status`/`down`/`up` load no daemon (docs/performance.md).
 */
export const commands: Readonly<Record<CommandName, () => Promise<Command>>> = {
  run: async () => (await import('./run.js')).run,
  validate: async () => (await import('./validate.js')).validate,
  check: async () => (await import('./check.js')).check,
  down: async () => (await import('./maintenance.js')).down,
  up: async () => (await import('./maintenance.js')).up,
  status: async () => (await import('./status.js')).status,
};
