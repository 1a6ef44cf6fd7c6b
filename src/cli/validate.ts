import { formatConfig } from '../config/format.js';
import { formatTranslation, loadConfig } from '../config/load.js';
import { exitCodes } from '../errors.js';
import { configFlags, configPath } from './command-config.js';
import type { CliIo } from './io.js';
import type { Args } from './parser.js';

/** `validate`: prints the resolved config, with the values read as Python's configparser does. */
export function validate(args: Args, io: CliIo): number {
  const { config, warnings, translations } = loadConfig(configPath(args), configFlags(args));
  for (const warning of warnings) io.stderr(`healthcheckd: warning: ${warning}\n`);
  const notes =
    translations.length === 0
      ? []
      : [
          "; read as the Python tool's configparser read it:",
          ...translations.map(formatTranslation),
        ];
  io.stdout(formatConfig(config, notes));
  return exitCodes.ok;
}
