import { resolve } from 'node:path';
import type { CheckKind, LogFormat, LogLevel } from '../types.js';
import { httpUrl, shellCommand, tcpTarget, type Parser } from './parsers.js';
import { expectedFound, flagProblem, type Problem } from './problems.js';
import { agentSchema, daemonSchema } from './schema.js';

/** Settings from the command line; undefined = not given. */
export interface ConfigFlags {
  readonly port?: string | number;
  readonly bind?: string;
  readonly pidfile?: string;
  readonly piddir?: string;
  readonly spoolDir?: string;
  readonly agentPort?: string | number;
  readonly timeout?: string;
  readonly logLevel?: string;
  readonly logFormat?: string;
  readonly command?: readonly string[];
  readonly tcp?: readonly string[];
  readonly http?: readonly string[];
}

/** Flag values that replace `[healthcheckd]` keys (undefined: not given); pidfile is absolute. */
export interface DaemonOverrides {
  readonly port: number | undefined;
  readonly bind: string | undefined;
  readonly pidfile: string | undefined;
  /** `--piddir` and `--spool-dir`, absolute (relative to the working directory). */
  readonly piddir: string | undefined;
  readonly spoolDir: string | undefined;
  /** `--agent-port`: the `[agent]` port, the section's defaults when it has none. */
  readonly agentPort: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly logLevel: LogLevel | undefined;
  readonly logFormat: LogFormat | undefined;
}

/** A check added by `--command`, `--tcp` or `--http`, named by kind and order. */
export interface FlagCheck {
  readonly name: string;
  readonly kind: CheckKind;
  readonly target: string;
}

/** Reads one flag value with a key's parser; a bad value is a flag problem. */
function readFlag<T>(
  flag: string,
  text: string | number | undefined,
  parse: Parser<T>,
  problems: Problem[],
): T | undefined {
  if (text === undefined) return undefined;
  const parsed = parse(String(text));
  if (parsed.ok) return parsed.value;
  problems.push(flagProblem(expectedFound(flag, parsed.expected, String(text))));
  return undefined;
}

/**
 * The `[healthcheckd]` (and `[agent] port`) overrides in the flags; `--pidfile`, `--piddir` and
 * `--spool-dir` are relative to the working directory.
 */
export function readOverrides(
  flags: ConfigFlags,
  cwd: string,
  problems: Problem[],
): DaemonOverrides {
  const pidfile = readFlag('--pidfile', flags.pidfile, daemonSchema.pidfile.parse, problems);
  const inCwd = (path: string | undefined): string | undefined =>
    path === undefined ? undefined : resolve(cwd, path);
  return {
    port: readFlag('--port', flags.port, daemonSchema.port.parse, problems),
    bind: readFlag('--bind', flags.bind, daemonSchema.bind.parse, problems),
    pidfile: pidfile === undefined || pidfile === null ? undefined : resolve(cwd, pidfile),
    piddir: inCwd(readFlag('--piddir', flags.piddir, daemonSchema.piddir.parse, problems)),
    spoolDir: inCwd(
      readFlag('--spool-dir', flags.spoolDir, daemonSchema.spool_dir.parse, problems),
    ),
    agentPort:
      readFlag('--agent-port', flags.agentPort, agentSchema.port.parse, problems) ?? undefined,
    timeoutMs: readFlag('--timeout', flags.timeout, daemonSchema.timeout.parse, problems),
    logLevel: readFlag('--log-level', flags.logLevel, daemonSchema.log_level.parse, problems),
    logFormat: readFlag('--log-format', flags.logFormat, daemonSchema.log_format.parse, problems),
  };
}

const checkParsers: Readonly<Record<CheckKind, Parser<string>>> = {
  command: shellCommand,
  tcp: tcpTarget,
  http: httpUrl,
};

/** The checks added by flags: `command-1`, `command-2`, then `tcp-1`, ..., then `http-1`, ... */
export function readFlagChecks(flags: ConfigFlags, problems: Problem[]): FlagCheck[] {
  return (['command', 'tcp', 'http'] as const).flatMap((kind) =>
    (flags[kind] ?? []).flatMap((text, index) => {
      const target = readFlag(`--${kind}`, text, checkParsers[kind], problems);
      return target === undefined ? [] : [{ name: `${kind}-${index + 1}`, kind, target }];
    }),
  );
}
