import { startCheckOnce } from '../checks/run-once.js';
import { formatReport } from './format-check.js';
import { formatConfig } from '../config/format.js';
import {
  formatTranslation,
  loadConfig,
  loadLocation,
  type ConfigFlags,
  type LoadedConfig,
} from '../config/load.js';
import type { ResolvedConfig, Scope } from '../types.js';
import { startDaemon, type Daemon } from '../daemon/daemon.js';
import { exitCodes } from '../errors.js';
import { healthDocument } from '../http/health-json.js';
import { createLogger, flushLog } from '../daemon/logging.js';
import { handOverSignals } from './early-signals.js';
import { parseFor, scopeFor, setDown, setUp } from '../maintenance/operator.js';
import { formatWallTime } from '../util/clock.js';
import { installSignals } from '../daemon/signals.js';
import { interruptedExitCode, onInterrupt } from './interrupt.js';
import { collectStatus, formatStatus, statusExitCode } from './status-client.js';
import type { CliIo } from './io.js';
import { defaultConfigPath, type Args, type CommandName } from './parser.js';

/** The flags that reach the config loader; undefined when not given. */
function configFlags(args: Args): ConfigFlags {
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
function locate(args: Args): ResolvedConfig {
  return loadLocation(locationPath(args), configFlags(args)).config;
}

/** CONFIG as given; none given and no check from flags means the default path. */
function configPath(args: Args): string | null {
  if (args.config !== undefined) return args.config;
  const flagChecks =
    (args.command?.length ?? 0) + (args.tcp?.length ?? 0) + (args.http?.length ?? 0);
  return flagChecks > 0 ? null : defaultConfigPath;
}

async function run(args: Args, io: CliIo): Promise<number> {
  const file = configPath(args);
  const flags = configFlags(args);
  const load = (): LoadedConfig => loadConfig(file, flags);
  const initial = load();
  const { logLevel, logFormat } = initial.config.daemon;
  const logger = createLogger(logLevel, logFormat);
  for (const correction of initial.corrections) {
    logger.debug(correction, 'config value read from the raw line, not as the ini package read it');
  }
  for (const warning of initial.warnings) logger.warn({ warning }, warning);
  // Signals are handled from the start: one that arrives while the daemon starts waits for
  // it (a stop then stops it; a reload re-reads the config) instead of killing the process
  // with its pidfile left behind.
  let started: Daemon | null = null;
  const starting = startDaemon(initial, { load, logger }).then((daemon) => (started = daemon));
  const uninstall = installSignals({
    stop: async () => (await starting).stop(),
    reload: async () => (await starting).reload(),
    abort: () => {
      started?.abort();
      io.exit(exitCodes.runtime);
    },
    logger,
  });
  handOverSignals(); // the entry point's early handlers step aside (src/cli/early-signals.ts)
  try {
    await (
      await starting
    ).stopped;
  } finally {
    uninstall();
    await flushLog(logger); // what a stalled stderr reader has not taken waits 0.5 s at most
  }
  return exitCodes.ok;
}

function validate(args: Args, io: CliIo): number {
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

/** Exit codes of `check` and `status`, Nagios style. */
const statusExit = { pass: 0, warn: 1, fail: 2 } as const;

/**
 * `check`: runs the checks once and prints them. Stopped by SIGINT, SIGTERM or SIGHUP, it
 * kills the process groups of its runs (they are out of reach of the terminal and of a kill
 * of the CLI's own group) and exits 128 + the signal's number, printing no verdict.
 */
async function check(args: Args, io: CliIo): Promise<number> {
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

function down(args: Args, io: CliIo): number {
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

function up(args: Args, io: CliIo): number {
  const config = locate(args);
  const scope = scopeOf(config, args);
  const removed = setUp(config, scope);
  const name = scope.kind === 'all' ? 'all' : `check:${scope.name}`;
  io.stdout(
    removed ? `maintenance ended: ${name}\n` : `no maintenance flag for ${name}; nothing to do\n`,
  );
  return exitCodes.ok;
}

async function status(args: Args, io: CliIo): Promise<number> {
  const config = locate(args);
  const report = await collectStatus(config);
  io.stdout(formatStatus(report));
  return statusExitCode(report);
}

/** Each command: its arguments and the CLI's io in, an exit code out. */
export const commands: Record<CommandName, (args: Args, io: CliIo) => number | Promise<number>> = {
  run,
  validate,
  check,
  down,
  up,
  status,
};
