import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { loadConfig, type ConfigFlags, type LoadedConfig } from './config/load.js';
import { formatConfig } from './config/format.js';
import { checkOnce, formatReport } from './check-once.js';
import { startDaemon } from './daemon.js';
import { healthDocument } from './http/health-json.js';
import { HealthcheckdError, exitCodes } from './errors.js';
import { createLogger } from './logging.js';
import { installSignals } from './signals.js';
import { parseDuration } from './duration.js';
import { scopeFor, setDown, setUp } from './maintenance/operator.js';
import { collectStatus, formatStatus, statusExitCode } from './status.js';

/** Where the CLI writes and how it exits; tests replace them. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly exit: (code: number) => never;
}

const defaultIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/** The Python tool's default config path. */
export const defaultConfigPath = '/etc/healthcheckd.config';

interface Args {
  readonly config?: string;
  readonly port?: string;
  readonly bind?: string;
  readonly pidfile?: string;
  readonly timeout?: string;
  readonly logLevel?: string;
  readonly logFormat?: string;
  readonly command?: string[];
  readonly tcp?: string[];
  readonly http?: string[];
  readonly check?: string[] | string;
  readonly json?: boolean;
  readonly reason?: string;
  readonly for?: string;
}

type CommandName = 'run' | 'validate' | 'check' | 'down' | 'up' | 'status';
type Action = { readonly name: CommandName; readonly args: Args };

const daemonFlags = {
  port: { type: 'string', describe: 'HTTP port (overrides the file)' },
  bind: { type: 'string', describe: 'address to listen on (overrides the file)' },
  pidfile: { type: 'string', describe: 'pidfile path, relative to the working directory' },
  timeout: { type: 'string', describe: 'default check timeout, e.g. 5s or 500ms' },
  'log-level': { type: 'string', describe: 'error | warn | info | debug' },
  'log-format': { type: 'string', describe: 'text | json' },
  command: { type: 'string', array: true, describe: 'add a command check (repeatable)' },
  tcp: { type: 'string', array: true, describe: 'add a TCP check HOST:PORT (repeatable)' },
  http: { type: 'string', array: true, describe: 'add an HTTP check URL (repeatable)' },
} as const;

function version(): string {
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

function parser(argv: readonly string[], record: (action: Action) => void): Argv {
  const withConfig = (y: Argv) =>
    y.positional('config', {
      type: 'string',
      describe: `config file (default ${defaultConfigPath})`,
    });
  return yargs([...argv])
    .scriptName('healthcheckd')
    .usage('$0 [CONFIG] — answer HTTP 200/503 from configured health checks')
    .command(
      ['run [config]', '$0 [config]'],
      'run the daemon in the foreground',
      (y) => withConfig(y).options(daemonFlags),
      (args) => record({ name: 'run', args: args as Args }),
    )
    .command(
      'validate [config]',
      'parse and validate only; print the resolved config',
      (y) => withConfig(y).options(daemonFlags),
      (args) => record({ name: 'validate', args: args as Args }),
    )
    .command(
      'check [config]',
      'run the checks once, print results; exit 0 pass, 1 warn, 2 fail',
      (y) =>
        withConfig(y)
          .options(daemonFlags)
          .option('check', {
            type: 'string',
            array: true,
            describe: 'only this check (repeatable)',
          })
          .option('json', { type: 'boolean', describe: 'print the health+json document' }),
      (args) => record({ name: 'check', args: args as Args }),
    )
    .command(
      'down [config]',
      'put all checks (or --check NAME) in maintenance',
      (y) =>
        withConfig(y)
          .option('check', { type: 'string', describe: 'only this check' })
          .option('reason', { type: 'string', describe: 'why (default: your user name)' })
          .option('for', { type: 'string', describe: 'end it after this long, e.g. 30m' }),
      (args) => record({ name: 'down', args: args as unknown as Args }),
    )
    .command(
      'up [config]',
      'end maintenance of all checks (or --check NAME)',
      (y) => withConfig(y).option('check', { type: 'string', describe: 'only this check' }),
      (args) => record({ name: 'up', args: args as unknown as Args }),
    )
    .command(
      'status [config]',
      "maintenance flags and the running daemon's live results",
      (y) => withConfig(y),
      (args) => record({ name: 'status', args: args as Args }),
    )
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new HealthcheckdError('E_USAGE', `${message}; see healthcheckd --help`);
    })
    .version(version())
    .help();
}

/** The flags that reach the config loader; undefined when not given. */
function configFlags(args: Args): ConfigFlags {
  const flags: Record<string, unknown> = {
    port: args.port,
    bind: args.bind,
    pidfile: args.pidfile,
    timeout: args.timeout,
    logLevel: args.logLevel,
    logFormat: args.logFormat,
    command: args.command,
    tcp: args.tcp,
    http: args.http,
  };
  return Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
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
  const daemon = await startDaemon(initial, { load, logger });
  const uninstall = installSignals({
    stop: daemon.stop,
    reload: daemon.reload,
    abort: () => {
      daemon.abort();
      io.exit(exitCodes.runtime);
    },
    logger,
  });
  await daemon.stopped;
  uninstall();
  return exitCodes.ok;
}

function validate(args: Args, io: CliIo): number {
  const { config } = loadConfig(configPath(args), configFlags(args));
  io.stdout(formatConfig(config));
  return exitCodes.ok;
}

/** Exit codes of `check` and `status`, Nagios style. */
const statusExit = { pass: 0, warn: 1, fail: 2 } as const;

async function check(args: Args, io: CliIo): Promise<number> {
  const { config } = loadConfig(configPath(args), configFlags(args));
  const names = args.check === undefined ? [] : [args.check].flat();
  const report = await checkOnce(config, names);
  const document = healthDocument(report, config.daemon.exposeOutput);
  io.stdout(args.json ? `${JSON.stringify(document, null, 2)}\n` : formatReport(report));
  return statusExit[report.status];
}

/** `--check` as one name: down/up take a single check. */
function singleCheck(args: Args): string | undefined {
  return Array.isArray(args.check) ? args.check.at(-1) : args.check;
}

function down(args: Args, io: CliIo): number {
  const { config } = loadConfig(configPath(args), {});
  const scope = scopeFor(config, singleCheck(args));
  const forMs = args.for === undefined ? undefined : parseDuration(args.for);
  if (forMs === null || forMs === 0) {
    throw new HealthcheckdError(
      'E_USAGE',
      `--for: expected a duration such as 30m or 2h, found "${args.for}"`,
    );
  }
  const options = {
    ...(args.reason === undefined ? {} : { reason: args.reason }),
    ...(forMs === undefined ? {} : { forMs }),
  };
  const { path, flag } = setDown(config, scope, options);
  const until =
    flag.until === null ? 'until `healthcheckd up`' : `until ${new Date(flag.until).toISOString()}`;
  io.stdout(`maintenance set: ${path} ("${flag.reason}" by ${flag.by}, ${until})\n`);
  return exitCodes.ok;
}

function up(args: Args, io: CliIo): number {
  const { config } = loadConfig(configPath(args), {});
  const scope = scopeFor(config, singleCheck(args));
  const removed = setUp(config, scope);
  const name = scope.kind === 'all' ? 'all' : `check:${scope.name}`;
  io.stdout(
    removed ? `maintenance ended: ${name}\n` : `no maintenance flag for ${name}; nothing to do\n`,
  );
  return exitCodes.ok;
}

async function status(args: Args, io: CliIo): Promise<number> {
  const { config } = loadConfig(configPath(args), {});
  const report = await collectStatus(config);
  io.stdout(formatStatus(report));
  return statusExitCode(report);
}

/** Runs the CLI and resolves with the exit code; operator mistakes become one-line errors. */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let action: Action | null = null;
  try {
    await parser(argv, (chosen) => (action = chosen)).parseAsync();
    const chosen = action as Action | null;
    if (chosen === null) return exitCodes.ok;
    if (chosen.name === 'validate') return validate(chosen.args, io);
    if (chosen.name === 'check') return await check(chosen.args, io);
    if (chosen.name === 'down') return down(chosen.args, io);
    if (chosen.name === 'up') return up(chosen.args, io);
    if (chosen.name === 'status') return await status(chosen.args, io);
    return await run(chosen.args, io);
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
export function cli(io: CliIo = defaultIo): void {
  void main(process.argv.slice(2), io).then((code) => io.exit(code));
}
