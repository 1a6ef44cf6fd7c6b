import { resolve } from 'node:path';
import type { DaemonSettings } from '../types.js';
import { defaultShell } from '../util/default-shell.js';
import type { DaemonOverrides } from './flags.js';
import { executable } from './parsers.js';
import { withPidSuffix } from './python-compat.js';
import { expectedFound, lineProblem, type Problem } from './problems.js';
import { lineOf, readSection } from './read.js';
import { daemonSchema } from './schema.js';
import type { Section } from './sections.js';

/** Where relative paths point and how the shell is looked up. */
export interface ResolveEnv {
  /** Absolute config file path, or null when every check came from flags. */
  readonly file: string | null;
  /** Relative `piddir` and `spool_dir` resolve here: the config file's folder, else cwd. */
  readonly baseDir: string;
  readonly isExecutable: (file: string) => boolean;
}

/** The `[healthcheckd]` section merged with flag overrides and defaults. */
export function resolveDaemon(
  section: Section | null,
  overrides: DaemonOverrides,
  env: ResolveEnv,
  problems: Problem[],
): DaemonSettings {
  const values = readSection(section, daemonSchema, problems);
  const port = overrides.port ?? values.port;
  const piddir = overrides.piddir ?? resolve(env.baseDir, values.piddir);
  return {
    port,
    bind: overrides.bind ?? values.bind,
    // `--pidfile` follows the file's rule (python-compat), so `validate` can print it back.
    pidfile: withPidSuffix(
      overrides.pidfile ?? resolve(piddir, values.pidfile ?? `healthcheckd-${port}.pid`),
    ),
    piddir,
    shell: resolveShell(section, values.shell, env, problems),
    timeoutMs: overrides.timeoutMs ?? values.timeout,
    statusCodes: {
      ok: values.status_ok,
      warn: values.status_warn,
      fail: values.status_fail,
      maintenance: values.status_maintenance,
    },
    spoolDir: overrides.spoolDir ?? resolve(env.baseDir, values.spool_dir),
    logLevel: overrides.logLevel ?? values.log_level,
    logFormat: overrides.logFormat ?? values.log_format,
    user: values.user,
    shutdownDelayMs: values.shutdown_delay,
    maxConcurrent: values.max_concurrent,
    exposeOutput: values.expose_output,
    accessLog: values.access_log,
    spawnHelper: values.spawn_helper,
  };
}

/** The configured shell, which must be an absolute executable; else bash if present, else sh. */
function resolveShell(
  section: Section | null,
  shell: string | null,
  env: ResolveEnv,
  problems: Problem[],
): string {
  if (shell === null) return defaultShell(env.isExecutable);
  const parsed = executable(env.isExecutable)(shell);
  if (parsed.ok) return shell;
  const line = section === null ? null : lineOf(section, 'shell');
  problems.push(lineProblem(line, expectedFound('shell', parsed.expected, shell)));
  return shell;
}
