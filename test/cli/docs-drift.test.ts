/**
 * The options each command takes, as `healthcheckd <command> --help` (the real CLI) lists
 * them, against the man page's SYNOPSIS and OPTIONS and the README's "Command line" table:
 * a flag added to one and not the others fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../support/daemon.js';
import { repoRoot } from '../support/paths.js';

const commands = ['run', 'validate', 'check', 'down', 'up', 'status'] as const;
/** Every command has these; the man page and the README list them once. */
const everywhere = new Set(['help', 'version']);

/** `--name` of every option line of a `--help` text, less --help and --version. */
function helpOptions(help: string): string[] {
  const names = [...help.matchAll(/^ {2}(?:-\w, | {4})--([a-z-]+)/gm)].map((match) => match[1]);
  return names.filter((name): name is string => name !== undefined && !everywhere.has(name));
}

/** Roff text with `\-` as `-`. */
function unroff(text: string): string {
  return text.replaceAll('\\-', '-');
}

/** The man page's SYNOPSIS line of `command`: the options it lists, in order. */
function manSynopsis(man: string, command: string): string[] {
  const synopsis = unroff(man.slice(man.indexOf('.SH SYNOPSIS'), man.indexOf('.SH DESCRIPTION')));
  const block = synopsis
    .split('.br\n')
    .find((part) => part.startsWith(`.B healthcheckd ${command}\n`));
  assert.ok(block !== undefined, `the man page's SYNOPSIS has no line for ${command}`);
  return [...block.matchAll(/--([a-z-]+)/g)].map((match) => match[1] ?? '');
}

/** The flags the man page's OPTIONS section describes (`.BI --name` or `.B --name`). */
function manDescribed(man: string): Set<string> {
  const options = unroff(man.slice(man.indexOf('.SH OPTIONS'), man.indexOf('.SH HTTP API')));
  return new Set([...options.matchAll(/^\.BI? --([a-z-]+)/gm)].map((match) => match[1] ?? ''));
}

/** The README's "Command line" flag table: each flag and the commands that take it. */
function readmeTable(readme: string): Map<string, Set<string>> {
  const start = readme.indexOf('## Command line');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const table = new Map<string, Set<string>>();
  for (const match of section.matchAll(/^ *\| `--([a-z-]+)[^`]*` \| ([a-z, ]+) \|/gm)) {
    const names = (match[2] ?? '').split(',').map((name) => name.trim());
    table.set(match[1] ?? '', new Set(names));
  }
  return table;
}

describe('docs drift: --help, man page, README', { timeout: 120_000 }, () => {
  const man = readFileSync(join(repoRoot, 'man', 'healthcheckd.1'), 'utf8');
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const table = readmeTable(readme);

  for (const command of commands) {
    it(
      `${command}: the man page and the README list the options --help lists`,
      { timeout: 30_000 },
      async () => {
        const help = await runCli([command, '--help']);
        assert.equal(help.code, 0, help.stderr);
        const options = helpOptions(help.stdout);
        assert.ok(options.includes('port'), `no option found in:\n${help.stdout}`);
        assert.deepEqual(manSynopsis(man, command).sort(), [...options].sort(), 'man SYNOPSIS');
        const described = manDescribed(man);
        for (const option of options)
          assert.ok(described.has(option), `man OPTIONS does not describe --${option}`);
        const inReadme = [...table]
          .filter(([, takers]) => takers.has(command))
          .map(([flag]) => flag);
        assert.deepEqual(inReadme.sort(), [...options].sort(), 'README "Command line" table');
      },
    );
  }

  it('the top-level --help lists every command with its options', { timeout: 30_000 }, async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0, help.stderr);
    const epilogue = help.stdout.slice(help.stdout.indexOf('Options of each command'));
    for (const command of commands) {
      const sub = helpOptions((await runCli([command, '--help'])).stdout);
      const row = new RegExp(`^ {2}${command} +((?:.|\\n {13})*)`, 'm').exec(epilogue)?.[1] ?? '';
      const listed = [...row.matchAll(/--([a-z-]+)/g)].map((match) => match[1]);
      assert.deepEqual(listed, sub, `${command} in the top-level --help`);
    }
  });
});
