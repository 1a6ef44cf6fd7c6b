import { loadLocation, type ConfigFlags } from '../config/load.js';
import type { ResolvedConfig } from '../types.js';
import { defaultConfigPath, type Args } from './parser.js';

/** The flags that reach the config loader; undefined when not given. */
export function configFlags(args: Args): ConfigFlags {
  const flags: Record<string, unknown> = {
    port: args.port,
    bind: args.bind,
    pidfile: args.pidfile,
    piddir: args.piddir,
    spoolDir: args.spoolDir,
    agentPort: args.agentPort,
    timeout: args.timeout,
    logLevel: args.logLevel,
    logFormat: args.logFormat,
    command: args.command,
    tcp: args.tcp,
    http: args.http,
  };
  return Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
}

/**
 * `status`, `down`, `up`: CONFIG as given; none given and a flag that finds the daemon or the
 * spool (`healthcheckd status --port 9999`) means flags only, as `run` with checks from flags
 * reads no file; neither means the default path.
 */
function locationPath(args: Args): string | null {
  if (args.config !== undefined) return args.config;
  const located = [args.port, args.bind, args.pidfile, args.piddir, args.spoolDir].some(
    (value) => value !== undefined,
  );
  return located ? null : defaultConfigPath;
}

/** The config `status`, `down` and `up` work from: the file and the locating flags. */
export function locate(args: Args): ResolvedConfig {
  return loadLocation(locationPath(args), configFlags(args)).config;
}

/** CONFIG as given; none given and no check from flags means the default path. */
export function configPath(args: Args): string | null {
  if (args.config !== undefined) return args.config;
  const flagChecks =
    (args.command?.length ?? 0) + (args.tcp?.length ?? 0) + (args.http?.length ?? 0);
  return flagChecks > 0 ? null : defaultConfigPath;
}
