import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/daemon.js';
import { repoRoot, tempDir, writeConfig } from '../support/paths.js';

describe('configuration errors and validate, from the CLI', { timeout: 60_000 }, () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('exits 78 naming file, line, expected and found, every problem at once', async () => {
    const file = writeConfig(
      dir.path,
      '[healthcheckd]\nport = abc\ncomand = true\ntimeout = soon\n',
      'bad.config',
    );
    const result = await runCli([file]);
    assert.equal(result.code, 78);
    assert.match(result.stderr, new RegExp(`${file}:2: .*port.*expected.*found "abc"`));
    assert.match(result.stderr, new RegExp(`${file}:3: .*comand.*did you mean "command"`));
    assert.match(result.stderr, new RegExp(`${file}:4: .*timeout.*found "soon"`));
    assert.equal(result.stdout, '');
  });

  it('refuses an unquoted ; in a command with the line and the fix, and runs nothing', async () => {
    const marker = join(dir.path, 'ran');
    const file = writeConfig(
      dir.path,
      `[healthcheckd]\nport = 0\ncommand = touch ${marker}; echo 'a;b'\n`,
      'semicolon.config',
    );
    const result = await runCli(['validate', file]);
    assert.equal(result.code, 78);
    assert.match(
      result.stderr,
      new RegExp(`${file}:3: .*';' starts an INI comment; quote the whole value`),
    );
  });

  it('refuses a config with no check: a daemon that always says OK is a lie', async () => {
    const file = writeConfig(dir.path, '[healthcheckd]\nport = 9999\n', 'empty.config');
    const result = await runCli([file]);
    assert.equal(result.code, 78);
    assert.match(result.stderr, /no check configured/);
  });

  it('says which file is missing and what to do', async () => {
    const result = await runCli([join(dir.path, 'nope.config')]);
    assert.equal(result.code, 78);
    assert.match(result.stderr, /cannot read config file .*nope\.config/);
  });

  it('exits 2 on an unknown flag', async () => {
    const result = await runCli(['--bogus-flag', '--command', 'true']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Unknown argument.*bogus-flag/);
  });

  it('exits 2 on a bad flag value, naming the flag', async () => {
    const result = await runCli(['validate', '--port', 'seventy', '--command', 'true']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--port.*found "seventy"/);
  });

  it('validate prints the resolved config of the seed example', async () => {
    const result = await runCli(['validate', join(repoRoot, 'examples', 'random_example.config')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^port = 9999$/m);
    assert.match(result.stdout, /^pidfile = \/tmp\/demo\.pid$/m);
    assert.match(result.stdout, /^timeout = 5s$/m);
    assert.match(result.stdout, /test \$\{RANDOM: -1\} -ge 5/);
    assert.doesNotMatch(result.stdout, /"test \$\{RANDOM: -1\} -ge 5"\s*"/);
  });

  it('validate output is itself a valid config', async () => {
    const first = await runCli(['validate', join(repoRoot, 'healthcheckd.config.example')]);
    assert.equal(first.code, 0, first.stderr);
    const again = writeConfig(dir.path, first.stdout, 'roundtrip.config');
    const second = await runCli(['validate', again]);
    assert.equal(second.code, 0, second.stderr);
    // The comments differ: the first read notes the quotes it removed, the second has none.
    const body = (text: string): string =>
      text
        .split('\n')
        .filter((line) => !line.startsWith(';'))
        .join('\n');
    assert.equal(body(second.stdout), body(first.stdout));
  });

  it('prints --version and --help', async () => {
    const version = await runCli(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /validate/);
  });
});
