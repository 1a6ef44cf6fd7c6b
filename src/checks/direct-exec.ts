import { realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { defaultShell } from '../util/default-shell.js';
import { findProgram, hostElf, kernelRuns } from './program-file.js';
import { applyEffect, probeShellEnv, type ShellEnvEffect } from './shell-probe.js';

/**
 * Words the shell runs itself (builtins and keywords of bash and dash): a command starting
 * with one needs the shell, even where a program of the same name exists, since the two can
 * differ (`echo --help`, `pwd` through a symbolic link, `kill %1`, `test -v`).
 */
const needsShell = new Set(
  (
    '. : [ [[ ]] { } alias bg bind break builtin caller cd chdir command compgen complete ' +
    'compopt continue declare dirs disown echo enable eval exec exit export false fc fg getopts ' +
    'hash help history jobs kill let local logout mapfile popd printf pushd pwd read readarray ' +
    'readonly return set shift shopt source suspend test times trap true type typeset ulimit ' +
    'umask unalias unset wait ! case coproc do done elif else esac fi for function if in ' +
    'select then time until while'
  ).split(' '),
);

/** Builtins that behave exactly as their programs when given no argument at all. */
const sameWithoutArguments = new Set(['true', 'false']);

/** Characters that give a command line shell syntax: quoting, expansion, redirection, globs. */
const shellSyntax = /[^A-Za-z0-9_./,:@%+=-]/;

/**
 * The words of a command made only of plain words separated by single spaces (as make
 * decides it), or null when it has shell syntax, an assignment, or starts with a word the
 * shell runs itself (bare `true` and `false` excepted: they cannot differ).
 */
export function directArgv(command: string): readonly string[] | null {
  const words = command.trim().split(/ +/);
  const [first] = words;
  if (first === undefined || first === '' || first.includes('=')) return null;
  if (words.some((word) => shellSyntax.test(word))) return null;
  if (needsShell.has(first) && !(words.length === 1 && sameWithoutArguments.has(first)))
    return null;
  return words;
}

/**
 * Environment variables that change what the shell does before or instead of running a
 * program: startup files (`BASH_ENV`, `ENV`), options (`SHELLOPTS`, `BASHOPTS`: xtrace writes
 * to stderr), the PATH search (`EXECIGNORE`) and exported functions (`BASH_FUNC_name%%`,
 * or `name=() {...` from before 2014).
 */
export function envNeedsShell(env: NodeJS.ProcessEnv): boolean {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (['BASH_ENV', 'ENV', 'SHELLOPTS', 'BASHOPTS', 'EXECIGNORE'].includes(name)) return true;
    if (name.startsWith('BASH_FUNC_') || value.startsWith('() {')) return true;
  }
  return false;
}

function realpath(file: string): string | null {
  try {
    return realpathSync(file);
  } catch {
    return null;
  }
}

/**
 * True when `shell` is the default shell (bash if present, else /bin/sh), also under another
 * name, and is bash or dash, whose handling of a plain command is known: exec the program
 * found on PATH. A shell the operator chose (a wrapper, a chroot) is never bypassed.
 */
export function isPlainDefaultShell(shell: string, fallback = defaultShell()): boolean {
  const actual = realpath(shell);
  if (actual === null || actual !== realpath(fallback)) return false;
  return ['bash', 'dash'].includes(basename(actual));
}

/** How to run a command without the shell: the argv, resolved on PATH by spawn, and the env. */
export interface DirectRun {
  readonly argv: readonly string[];
  /** The file `argv[0]` names, as found on PATH for this run. */
  readonly file: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Decides, per run, whether a command may skip the shell. */
export interface DirectExec {
  /** The direct run of `command` with `env`, or null: run it through the shell. */
  readonly plan: (command: string, env: NodeJS.ProcessEnv) => DirectRun | null;
}

export interface DirectExecOptions {
  readonly shell: string;
  /** The environment the checks inherit (without HEALTHCHECKD_CHECK). */
  readonly env: NodeJS.ProcessEnv;
  /** Default: whether `shell` is the plain default shell. */
  readonly shellAllows?: boolean;
}

const never: DirectExec = { plan: () => null };

/**
 * The direct-exec shortcut: a command of plain words runs as an argv, skipping the shell,
 * only where nothing can differ — the plain default shell, no variable in the environment
 * that makes the shell do more, a program file the kernel runs itself (ELF or `#!`), and
 * the environment the shell would have handed the program (learnt from the shell once, in
 * the background; until then commands go through the shell).
 */
export function createDirectExec(options: DirectExecOptions): DirectExec {
  const { shell, env } = options;
  const path = env.PATH;
  const host = hostElf();
  const allowed = options.shellAllows ?? isPlainDefaultShell(shell);
  if (!allowed || path === undefined || envNeedsShell(env) || host === null) return never;
  const runnable = (word: string): string | null => {
    const file = findProgram(word, path);
    return file !== null && kernelRuns(file, host) ? file : null;
  };
  return guarded(shortcut(shell, env, runnable));
}

function shortcut(
  shell: string,
  env: NodeJS.ProcessEnv,
  runnable: (word: string) => string | null,
): DirectExec {
  let effect: ShellEnvEffect | null = null;
  let asked = false;
  const learn = (): void => {
    asked = true;
    const envFile = runnable('env');
    if (envFile !== null) void probeShellEnv(shell, env, envFile).then((found) => (effect = found));
  };
  return {
    plan(command, runEnv) {
      if (!asked) learn();
      const known = effect;
      const argv = known === null ? null : directArgv(command);
      const file = argv?.[0] === undefined ? null : runnable(argv[0]);
      if (known === null || argv === null || file === null) return null;
      return { argv, file, env: applyEffect(runEnv, known, file) };
    },
  };
}

/** An optimisation never fails a check: a planner that throws means "through the shell". */
function guarded(direct: DirectExec): DirectExec {
  return {
    plan(command, env) {
      try {
        return direct.plan(command, env);
      } catch {
        return null;
      }
    },
  };
}
