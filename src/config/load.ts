import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { HealthcheckdError } from '../errors.js';
import type { ResolvedConfig } from '../types.js';
import type { ConfigFlags } from './flags.js';
import { crossCheckIni, type Correction, type MeantValue } from './ini-crosscheck.js';
import { isExecutableFile } from './parsers.js';
import { throwIfProblems, type Problem } from './problems.js';
import { applyDefaults, translateValues, type Translation } from './python-compat.js';
import { isRepeatable, scanLines } from './raw-lines.js';
import { resolveConfig } from './resolve.js';
import { groupSections, interpretEntries, type Sections } from './sections.js';
import { configWarnings } from './warnings.js';

export type { ConfigFlags } from './flags.js';
export type { Correction } from './ini-crosscheck.js';
export type { Translation } from './python-compat.js';
export { formatTranslation } from './python-compat.js';

/** The resolved config, plus every line where `ini` read something other than what was meant. */
export interface LoadedConfig {
  readonly config: ResolvedConfig;
  readonly corrections: readonly Correction[];
  /**
   * Every place `[healthcheckd]` or `[DEFAULT]` was read by the Python tool's configparser
   * rules rather than as written (DESIGN §2), in line order; `validate` prints them.
   */
  readonly translations: readonly Translation[];
  /** Settings that are valid but probably not meant, as `file:line: message` (`validate` prints them). */
  readonly warnings: readonly string[];
}

/** What parsing may look at besides the text: the working directory and the file system. */
export interface ParseEnv {
  /** `--pidfile` and a relative file name resolve here. Default: process.cwd(). */
  readonly cwd?: string;
  /** Default: a real check that the path is an executable regular file. */
  readonly isExecutable?: (file: string) => boolean;
}

/**
 * Parses and validates config text with the flags applied.
 *
 * @param path the file the text came from, named in every problem
 * @throws {HealthcheckdError} `E_CONFIG` with every problem at once in `details`
 */
export function parseConfigText(
  text: string,
  file: string,
  flags: ConfigFlags,
  env: ParseEnv = {},
): LoadedConfig {
  const cwd = env.cwd ?? process.cwd();
  const path = resolve(cwd, file);
  const problems: Problem[] = [];
  const scan = scanLines(text);
  problems.push(...scan.problems);
  const translations = [...scan.translations];
  const interpreted = interpretEntries(scan.entries, problems);
  const entries = translateValues(scan.entries, interpreted, problems, translations);
  // `ini` keeps only the last of repeated keys, which is no misreading.
  const meant = entries.filter(
    (entry): entry is MeantValue => entry.value !== null && !isRepeatable(entry.section, entry.key),
  );
  const corrections = crossCheckIni(text, meant);
  const merged = applyDefaults(scan.sections, entries, translations);
  const sections = groupSections(merged.headers, merged.entries, problems);
  const isExecutable = env.isExecutable ?? isExecutableFile;
  const config = resolveConfig(
    sections,
    flags,
    { file: path, baseDir: dirname(path), cwd, isExecutable },
    problems,
  );
  throwIfProblems(problems, path);
  translations.sort((a, b) => a.line - b.line);
  return { config, corrections, translations, warnings: configWarnings(config) };
}

const noSections: Sections = {
  daemon: null,
  agent: null,
  grpc: null,
  checks: [],
  anyCheckHeader: false,
};

/**
 * Resolves a config from flags alone, when no file is read. `checksOptional`: the flags need
 * not name a check (`status`, `down` and `up` only find the daemon and the spool).
 */
function parseFlagsOnly(flags: ConfigFlags, env: ParseEnv, checksOptional = false): LoadedConfig {
  const cwd = env.cwd ?? process.cwd();
  const problems: Problem[] = [];
  const isExecutable = env.isExecutable ?? isExecutableFile;
  const config = resolveConfig(
    noSections,
    flags,
    { file: null, baseDir: cwd, cwd, isExecutable, checksOptional },
    problems,
  );
  throwIfProblems(problems, null);
  return { config, corrections: [], translations: [], warnings: configWarnings(config) };
}

const readErrors: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
};

/**
 * Reads the file as UTF-8; a failure says why and what to do, with the flags of the command
 * at hand: `locating` (status, down, up) find the daemon with flags, the others add checks.
 */
function readConfigFile(path: string, locating: boolean): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    const why = readErrors[code] ?? 'read error';
    throw new HealthcheckdError(
      'E_CONFIG',
      `cannot read config file ${path}: ${why} (${code}); pass the path of your config, or ${locating ? "the daemon's --port (and --spool-dir)" : 'add checks with --command/--tcp/--http'}`,
      [],
      { cause: error },
    );
  }
}

/**
 * Loads the config file with the flags applied (flags override the file), or the flags alone
 * when `file` is null.
 *
 * @param file a path, relative to `cwd`; null: every check comes from `flags`
 * @param cwd the directory relative paths resolve against; default `process.cwd()`
 * @returns the resolved config and the translations made while reading it (`validate` shows them)
 * @throws {HealthcheckdError} `E_CONFIG` (exit 78) when the file cannot be read, or with every
 *   problem of the file at once in `details`, one `file:line: ...` a line
 */
export function loadConfig(file: string | null, flags: ConfigFlags, cwd?: string): LoadedConfig {
  return loadWith(file, flags, cwd, false);
}

/**
 * As loadConfig, for the commands that only find the daemon and the spool (`status`, `down`,
 * `up`): with `file` null the flags need name no check, and the config then has none.
 */
export function loadLocation(file: string | null, flags: ConfigFlags, cwd?: string): LoadedConfig {
  return loadWith(file, flags, cwd, true);
}

function loadWith(
  file: string | null,
  flags: ConfigFlags,
  cwd: string | undefined,
  checksOptional: boolean,
): LoadedConfig {
  const env: ParseEnv = cwd === undefined ? {} : { cwd };
  if (file === null) return parseFlagsOnly(flags, env, checksOptional);
  const path = resolve(cwd ?? process.cwd(), file);
  return parseConfigText(readConfigFile(path, checksOptional), path, flags, env);
}
