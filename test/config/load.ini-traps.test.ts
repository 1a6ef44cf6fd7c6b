import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText, type LoadedConfig } from '../../src/config/load.js';
import { HealthcheckdError } from '../../src/errors.js';

const file = '/etc/healthcheckd.config';
const env = { cwd: '/srv', isExecutable: (path: string) => path === '/bin/sh' };

const load = (text: string): LoadedConfig => parseConfigText(text, file, {}, env);

/** The target of the only check in a [check:a] section holding `line`. */
function commandOf(line: string): string {
  const checks = load(`[check:a]\n${line}\n`).config.checks;
  assert.equal(checks.length, 1);
  return checks[0]?.target ?? '';
}

function problemsOf(text: string): string[] {
  try {
    load(text);
  } catch (error) {
    assert.ok(error instanceof HealthcheckdError);
    return [...error.details];
  }
  assert.fail('expected the config to be refused');
}

describe('ini traps: values ini 7 misreads', { timeout: 30_000 }, () => {
  it("refuses command = echo 'a;b' with the line and the fix", () => {
    assert.deepEqual(problemsOf(`[healthcheckd]\nport = 1\n\ncommand = echo 'a;b'\n`), [
      `${file}:4: ';' starts an INI comment; quote the whole value: command = "echo 'a;b'"`,
    ]);
  });

  it(`reads command = "echo 'a;b'" whole`, () => {
    assert.equal(commandOf(`command = "echo 'a;b'"`), "echo 'a;b'");
  });

  it('refuses a bare word (ini would read it as key = true)', () => {
    assert.deepEqual(problemsOf('[check:a]\ncommand = true\ncritical\n'), [
      `${file}:3: expected "key = value", found "critical"`,
    ]);
  });

  it('reads a quoted value followed by a comment without its quote marks', () => {
    const loaded = load('[check:a]\ncommand = "echo a" ; comment\n');
    assert.equal(loaded.config.checks[0]?.target, 'echo a');
    assert.deepEqual(loaded.corrections, [{ line: 2, meant: 'echo a', iniRead: '"echo a"' }]);
  });

  it('keeps a backslash inside quotes literally, and drops the quote marks', () => {
    const loaded = load(`[check:a]\ncommand = "printf 'a\\tb'"\n`);
    assert.equal(loaded.config.checks[0]?.target, "printf 'a\\tb'");
    // ini ran the quoted text through JSON.parse and turned \t into a tab.
    assert.deepEqual(loaded.corrections, [
      { line: 2, meant: "printf 'a\\tb'", iniRead: "printf 'a\tb'" },
    ]);
  });

  it('keeps quote marks away from a backslash escape JSON cannot read', () => {
    const loaded = load('[check:a]\ncommand = "grep -q \\d /tmp/x"\n');
    assert.equal(loaded.config.checks[0]?.target, 'grep -q \\d /tmp/x');
    assert.deepEqual(loaded.corrections, [
      { line: 2, meant: 'grep -q \\d /tmp/x', iniRead: '"grep -q \\d /tmp/x"' },
    ]);
  });

  it('reads timeout = 5s ; comment as 5000 ms', () => {
    const loaded = load('[healthcheckd]\ntimeout = 5s ; comment\ncommand = true\n');
    assert.equal(loaded.config.daemon.timeoutMs, 5000);
    assert.equal(loaded.config.checks[0]?.timeoutMs, 5000);
    assert.deepEqual(loaded.corrections, []);
  });

  it('keeps a # that does not follow whitespace, where ini cuts it', () => {
    const loaded = load('[check:a]\nhttp = http://127.0.0.1:8080/health#x\n');
    assert.equal(loaded.config.checks[0]?.target, 'http://127.0.0.1:8080/health#x');
    assert.deepEqual(loaded.corrections, [
      { line: 2, meant: 'http://127.0.0.1:8080/health#x', iniRead: 'http://127.0.0.1:8080/health' },
    ]);
  });

  it('refuses an unquoted # in a command', () => {
    assert.deepEqual(problemsOf('[check:a]\ncommand = test -f /x # exists\n'), [
      `${file}:2: '#' starts an INI comment; quote the whole value: command = "test -f /x # exists" (if "# exists" is a comment: command = "test -f /x" # exists)`,
    ]);
  });

  it('refuses ; in an unquoted agent weight command, and reads it quoted', () => {
    const text = '[check:a]\ncommand = true\n[agent]\nport = 9777\nweight = command:a;b\n';
    assert.deepEqual(problemsOf(text), [
      `${file}:5: ';' starts an INI comment; quote the whole value: weight = "command:a;b"`,
    ]);
    const quoted = load(
      '[check:a]\ncommand = true\n[agent]\nport = 9777\nweight = "command:a;b"\n',
    );
    assert.deepEqual(quoted.config.agent?.weight, { kind: 'command', command: 'a;b' });
  });

  it('notes a section header with a comment, which ini does not read as a header', () => {
    const loaded = load('[check:a] ; the app\ncommand = true\n');
    assert.equal(loaded.config.checks[0]?.name, 'a');
    assert.deepEqual(loaded.corrections, [{ line: 2, meant: 'true', iniRead: '(nothing)' }]);
  });

  it('reads a dotted check name that ini nests', () => {
    const loaded = load('[check:db.replica]\ntcp = db:3306\n');
    assert.equal(loaded.config.checks[0]?.name, 'db.replica');
    assert.deepEqual(loaded.corrections, []);
  });
});
