/**
 * Shell builtins and keywords with no program of the same name, or whose program behaves
 * differently (cd, exit, export...): a command starting with one of these needs the shell.
 * `true`, `false`, `test`, `[`, `echo`, `printf`, `kill` and `pwd` are programs too.
 */
const needsShell = new Set(
  (
    '. : alias bg bind break builtin caller cd command compgen complete compopt continue ' +
    'declare dirs disown enable eval exec exit export fc fg getopts hash help history jobs let ' +
    'local logout mapfile popd pushd read readarray readonly return set shift shopt source ' +
    'suspend times trap type typeset ulimit umask unalias unset wait ' +
    '! case coproc do done elif else esac fi for function if in select then time until while'
  ).split(' '),
);

/** Characters that give a command line shell syntax: quoting, expansion, redirection, globs. */
const shellSyntax = /[^A-Za-z0-9_./,:@%+=-]/;

/**
 * The argv to execute a command directly, skipping the shell, or null when it needs the
 * shell. Only plain words separated by single spaces qualify (as make does it): one spawn
 * instead of two, and half a millisecond less of the event loop per run.
 */
export function directArgv(command: string): readonly string[] | null {
  const words = command.trim().split(/ +/);
  const [first] = words;
  if (first === undefined || first === '' || needsShell.has(first) || first.includes('='))
    return null;
  if (words.some((word) => shellSyntax.test(word))) return null;
  return words;
}
