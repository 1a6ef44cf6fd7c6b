import { exitCodes } from '../errors.js';
import { parseFor, scopeFor, setDown, setUp } from '../maintenance/operator.js';
import type { ResolvedConfig, Scope } from '../types.js';
import { formatWallTime } from '../util/clock.js';
import { locate } from './command-config.js';
import type { CliIo } from './io.js';
import type { Args } from './parser.js';

/** `--check` as one name: down/up take a single check. */
function singleCheck(args: Args): string | undefined {
  return Array.isArray(args.check) ? args.check.at(-1) : args.check;
}

/**
 * The scope `--check` names. In flags-only mode the checks are unknown (the daemon's are on
 * its command line): any name is taken as given.
 */
function scopeOf(config: ResolvedConfig, args: Args): Scope {
  const name = singleCheck(args);
  if (config.file === null && config.checks.length === 0 && name !== undefined)
    return { kind: 'check', name };
  return scopeFor(config, name);
}

/** `down`: writes the maintenance flag of all checks or of `--check NAME`. */
export function down(args: Args, io: CliIo): number {
  const config = locate(args);
  const scope = scopeOf(config, args);
  const forMs = args.for === undefined ? undefined : parseFor(args.for);
  const options = {
    ...(args.reason === undefined ? {} : { reason: args.reason }),
    ...(forMs === undefined ? {} : { forMs }),
  };
  const { path, flag } = setDown(config, scope, options);
  const until =
    flag.until === null ? 'until `healthcheckd up`' : `until ${formatWallTime(flag.until)}`;
  io.stdout(`maintenance set: ${path} ("${flag.reason}" by ${flag.by}, ${until})\n`);
  return exitCodes.ok;
}

/** `up`: removes the maintenance flag of all checks or of `--check NAME`. */
export function up(args: Args, io: CliIo): number {
  const config = locate(args);
  const scope = scopeOf(config, args);
  const removed = setUp(config, scope);
  const name = scope.kind === 'all' ? 'all' : `check:${scope.name}`;
  io.stdout(
    removed ? `maintenance ended: ${name}\n` : `no maintenance flag for ${name}; nothing to do\n`,
  );
  return exitCodes.ok;
}
