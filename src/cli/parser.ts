import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { HealthcheckdError } from '../errors.js';
import { parseFor } from '../maintenance/operator.js';

/** The Python tool's default config path. */
export const defaultConfigPath = '/etc/healthcheckd.config';

/** A command's options as yargs parsed them. */
export interface Args {
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

/** The commands of the CLI; `run` is the default. */
export type CommandName = 'run' | 'validate' | 'check' | 'down' | 'up' | 'status';
/** What the command line asks for: a command and its options. */
export type Action = { readonly name: CommandName; readonly args: Args };

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

/** Set by the single-executable build (packaging/build-sea.mjs), which has no package.json. */
declare const HEALTHCHECKD_BUNDLED_VERSION: string | undefined;

function version(): string {
  if (typeof HEALTHCHECKD_BUNDLED_VERSION === 'string') return HEALTHCHECKD_BUNDLED_VERSION;
  const url = new URL('../../../package.json', import.meta.url);
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
          .option('for', { type: 'string', describe: 'end it after this long, e.g. 30m' })
          // A --for whose end no date can hold is a usage error before anything is read.
          .check((argv) => argv.for === undefined || parseFor(String(argv.for)) > 0),
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
    .completion('completion', 'print a shell completion script: completion [bash|zsh]')
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new HealthcheckdError('E_USAGE', `${message}; see healthcheckd --help`);
    })
    .version(version())
    .alias('V', 'version')
    .help()
    .alias('h', 'help');
}

/** Parses argv with yargs; resolves with the command to run, or null after --help/--version. */
export async function parseCommandLine(argv: readonly string[]): Promise<Action | null> {
  let action: Action | null = null;
  if (argv[0] === 'completion') {
    selectCompletionShell(argv.slice(1));
    parser([], () => undefined).showCompletionScript();
    return null;
  }
  await parser(argv, (chosen) => (action = chosen)).parseAsync();
  return action;
}

/**
 * `completion zsh` / `completion bash`: yargs writes the script for the shell named in `$SHELL`
 * (read when the parser is built), so the argument sets it; `completion` alone keeps `$SHELL`.
 *
 * @throws {HealthcheckdError} `E_USAGE` for another shell or more arguments
 */
function selectCompletionShell(args: readonly string[]): void {
  const [shell, ...rest] = args;
  if (shell === undefined) return;
  if ((shell !== 'bash' && shell !== 'zsh') || rest.length > 0)
    throw new HealthcheckdError(
      'E_USAGE',
      `completion takes bash or zsh, got "${args.join(' ')}"; see healthcheckd --help`,
    );
  process.env.SHELL = `/bin/${shell}`;
  delete process.env.ZSH_NAME;
}
