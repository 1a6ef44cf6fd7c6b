import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
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
  readonly piddir?: string;
  readonly spoolDir?: string;
  readonly agentPort?: string;
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

type OptionSpec = {
  readonly type: 'string' | 'boolean';
  readonly describe: string;
  readonly array?: boolean;
};
type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/**
 * The flags that find the daemon and the spool, taken alike by every command that needs them
 * (DESIGN §1): `status`, `down` and `up` find the daemon exactly as `run` does.
 */
export const locateFlags = {
  port: { type: 'string', describe: 'HTTP port (overrides the file)' },
  bind: { type: 'string', describe: 'address to listen on (overrides the file)' },
  pidfile: { type: 'string', describe: 'pidfile path, relative to the working directory' },
  piddir: { type: 'string', describe: 'directory of the default pidfile (overrides the file)' },
  'spool-dir': { type: 'string', describe: 'maintenance flag directory (overrides the file)' },
} as const satisfies OptionSpecs;

/** The flags of `run`, `validate` and `check`: the locating flags, settings and flag checks. */
const daemonFlags = {
  ...locateFlags,
  'agent-port': { type: 'string', describe: 'HAProxy agent-check port (overrides [agent])' },
  timeout: { type: 'string', describe: 'default check timeout, e.g. 5s or 500ms' },
  'log-level': { type: 'string', describe: 'error | warn | info | debug' },
  'log-format': { type: 'string', describe: 'text | json' },
  command: { type: 'string', array: true, describe: 'add a command check (repeatable)' },
  tcp: { type: 'string', array: true, describe: 'add a TCP check HOST:PORT (repeatable)' },
  http: { type: 'string', array: true, describe: 'add an HTTP check URL (repeatable)' },
} as const satisfies OptionSpecs;

const oneCheck = { check: { type: 'string', describe: 'only this check' } } as const;

/** One command: what `--help` and the top-level epilogue say of it, and its options. */
interface CommandSpec {
  readonly name: CommandName;
  readonly describe: string;
  readonly options: OptionSpecs;
}

/** Every command with its options: the parser and the top-level help are built from these. */
export const commandSpecs: readonly CommandSpec[] = [
  { name: 'run', describe: 'run the daemon in the foreground', options: daemonFlags },
  {
    name: 'validate',
    describe: 'parse and validate only; print the resolved config',
    options: daemonFlags,
  },
  {
    name: 'check',
    describe: 'run the checks once, print results; exit 0 pass, 1 warn, 2 fail',
    options: {
      ...daemonFlags,
      check: { type: 'string', array: true, describe: 'only this check (repeatable)' },
      json: { type: 'boolean', describe: 'print the health+json document' },
    },
  },
  {
    name: 'down',
    describe: 'put all checks (or --check NAME) in maintenance',
    options: {
      ...locateFlags,
      ...oneCheck,
      reason: { type: 'string', describe: 'why (default: your user name)' },
      for: { type: 'string', describe: 'end it after this long, e.g. 30m' },
    },
  },
  {
    name: 'up',
    describe: 'end maintenance of all checks (or --check NAME)',
    options: { ...locateFlags, ...oneCheck },
  },
  {
    name: 'status',
    describe: "maintenance flags and the running daemon's live results",
    options: locateFlags,
  },
];

/** The top-level help's list of every command's options, built from `commandSpecs`. */
function optionsEpilogue(): string {
  const indent = ' '.repeat(13);
  const lines = commandSpecs.flatMap((spec) => {
    const rows: string[] = [`  ${spec.name.padEnd(9)}  `];
    for (const flag of Object.keys(spec.options).map((name) => `--${name}`)) {
      const row = rows.at(-1) ?? '';
      // Rows under 80 columns: yargs re-wraps longer ones without the indent.
      if (row.length + flag.length > 78) rows.push(`${indent}${flag}`);
      else rows[rows.length - 1] = `${row}${row.endsWith(' ') ? '' : ' '}${flag}`;
    }
    return rows;
  });
  return [
    'Options of each command (healthcheckd COMMAND --help describes them):',
    ...lines,
    '  completion [bash|zsh]',
  ].join('\n');
}

/** Set by the single-executable build (packaging/build-sea.mjs), which has no package.json. */
declare const HEALTHCHECKD_BUNDLED_VERSION: string | undefined;

function version(): string {
  if (typeof HEALTHCHECKD_BUNDLED_VERSION === 'string') return HEALTHCHECKD_BUNDLED_VERSION;
  const url = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

async function parser(argv: readonly string[], record: (action: Action) => void): Promise<Argv> {
  // Imported here, not at the top: the daemon's own command lines need no yargs (plainRun).
  const { default: yargs } = await import('yargs');
  let y = yargs([...argv])
    .scriptName('healthcheckd')
    .usage('$0 [CONFIG] — answer HTTP 200/503 from configured health checks');
  for (const spec of commandSpecs) {
    const names = spec.name === 'run' ? ['run [config]', '$0 [config]'] : [`${spec.name} [config]`];
    y = y.command(
      names,
      spec.describe,
      (sub) => {
        const withOptions = sub
          .positional('config', {
            type: 'string',
            describe: `config file (default ${defaultConfigPath})`,
          })
          .options(spec.options);
        // A --for whose end no date can hold is a usage error before anything is read.
        return spec.name === 'down'
          ? withOptions.check((args) => args.for === undefined || parseFor(String(args.for)) > 0)
          : withOptions;
      },
      (args) => record({ name: spec.name, args: args as unknown as Args }),
    );
  }
  // detectLocale(false): yargs's own words (Commands:, [default]) in English, as ours are,
  // whatever LANG says; the bundle carries no translations of them (packaging/build-bundle.mjs).
  return y
    .completion('completion', 'print a shell completion script: completion [bash|zsh]')
    .epilogue(optionsEpilogue())
    .strict()
    .detectLocale(false)
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new HealthcheckdError('E_USAGE', `${message}; see healthcheckd --help`);
    })
    .version(version())
    .alias('V', 'version')
    .help()
    .alias('h', 'help');
}

/**
 * Reads the command line: resolves with the command to run, or null after --help/--version.
 *
 * @throws {HealthcheckdError} `E_USAGE` for a command line yargs refuses
 */
export async function parseCommandLine(argv: readonly string[]): Promise<Action | null> {
  return plainRun(argv) ?? parseWithYargs(argv);
}

/** Parses argv with yargs alone; resolves with the command to run, or null after --help. */
export async function parseWithYargs(argv: readonly string[]): Promise<Action | null> {
  let action: Action | null = null;
  if (argv[0] === 'completion') {
    selectCompletionShell(argv.slice(1));
    (await parser([], () => undefined)).showCompletionScript();
    return null;
  }
  await (await parser(argv, (chosen) => (action = chosen))).parseAsync();
  return action;
}

/** Words yargs reads as a command, not as a config path: no plain `run` has one. */
const commandWords: ReadonlySet<string> = new Set([
  ...commandSpecs.map((spec) => spec.name),
  'completion',
  'help',
]);

/**
 * The command lines a service manager starts the daemon with, `[run] [CONFIG]` and no option,
 * read without loading yargs (about 40 ms and 6 MiB of start-up; docs/performance.md). The
 * action is the one yargs gives for the same words (test/cli/plain-run.test.ts holds the two
 * side by side); anything else, null, is yargs's to read.
 */
export function plainRun(argv: readonly string[]): Action | null {
  const words = argv[0] === 'run' ? argv.slice(1) : argv;
  if (words.length > 1) return null;
  const [config] = words;
  if (config === undefined) return { name: 'run', args: {} };
  // yargs reads a command word after `run` too (`run help` prints the help).
  if (config === '' || config.startsWith('-') || commandWords.has(config)) return null;
  return { name: 'run', args: { config } };
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
