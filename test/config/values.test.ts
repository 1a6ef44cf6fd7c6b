import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpretValue, isShellValue, needsQuoting, quoteValue } from '../../src/config/values.js';

const value = (raw: string, key = 'bind', shell = false): string => {
  const read = interpretValue(raw, key, shell);
  assert.equal(read.ok, true, read.ok ? '' : read.message);
  return read.ok ? read.value : '';
};

const refusal = (raw: string, key = 'command', shell = true): string => {
  const read = interpretValue(raw, key, shell);
  assert.equal(read.ok, false);
  return read.ok ? '' : read.message;
};

describe('values: which values are shell commands', { timeout: 30_000 }, () => {
  it('is command anywhere, and [agent] weight = command:...', () => {
    assert.equal(isShellValue('healthcheckd', 'command', 'x'), true);
    assert.equal(isShellValue('check:a', 'command', 'x'), true);
    assert.equal(isShellValue('agent', 'weight', ' command:x;y'), true);
    assert.equal(isShellValue('agent', 'weight', ' cpu'), false);
    assert.equal(isShellValue('check:a', 'weight', 'command:x'), false);
    assert.equal(isShellValue('check:a', 'http', 'x'), false);
  });
});

describe('values: quoted values', { timeout: 30_000 }, () => {
  it('takes the text between matching quotes literally, backslashes kept', () => {
    assert.equal(value(' "test ${RANDOM: -1} -ge 5"', 'command', true), 'test ${RANDOM: -1} -ge 5');
    assert.equal(value(` "printf 'a\\tb'"`, 'command', true), "printf 'a\\tb'");
    assert.equal(value(` 'echo "x"'`, 'command', true), 'echo "x"');
    assert.equal(value(' "  padded  "'), '  padded  ');
    assert.equal(value(' ""'), '');
  });

  it('allows a trailing ; or # comment after whitespace', () => {
    assert.equal(value(' "echo a" ; comment', 'command', true), 'echo a');
    assert.equal(value(" 'echo a'\t# comment", 'command', true), 'echo a');
    assert.equal(value(' "0.0.0.0" ; all'), '0.0.0.0');
  });

  it('refuses text after the closing quote, with the fix', () => {
    assert.equal(
      refusal(` 'a' && 'b'`),
      `text after the closing quote: expected nothing or a " ; comment", found " && 'b'"; quote the whole value: command = "'a' && 'b'"`,
    );
    assert.equal(
      refusal(' "a";b'),
      'text after the closing quote: expected nothing or a " ; comment", found ";b"; quote the whole value: command = \'"a";b\'',
    );
  });

  it('refuses an unterminated quote', () => {
    assert.equal(
      refusal(' "echo a'),
      'unterminated quote: expected a closing " on the same line, found "\\"echo a"',
    );
  });
});

describe('values: bare shell commands', { timeout: 30_000 }, () => {
  it('keeps a command without ; or #, trimmed', () => {
    assert.equal(value('  /usr/bin/check --lag 30  ', 'command', true), '/usr/bin/check --lag 30');
    assert.equal(value(' a=b c', 'command', true), 'a=b c');
  });

  it("refuses ; with the quoted fix (ini cuts echo 'a;b' to echo 'a)", () => {
    assert.equal(
      refusal(" echo 'a;b'"),
      `';' starts an INI comment; quote the whole value: command = "echo 'a;b'"`,
    );
  });

  it('refuses # and offers the comment reading when # follows whitespace', () => {
    assert.equal(
      refusal(' check.sh # lag'),
      `'#' starts an INI comment; quote the whole value: command = "check.sh # lag" (if "# lag" is a comment: command = "check.sh" # lag)`,
    );
  });

  it('says so when the value holds both quote kinds', () => {
    assert.equal(
      refusal(` echo "a" 'b';c`),
      "';' starts an INI comment; the value holds both quote kinds, so it cannot be quoted: move the command into a script and run that",
    );
  });
});

describe('values: other bare values', { timeout: 30_000 }, () => {
  it('strips a ; or # comment that follows whitespace', () => {
    assert.equal(value(' 5s ; comment', 'timeout'), '5s');
    assert.equal(value(' info\t# comment', 'log_level'), 'info');
    assert.equal(value(' ; only a comment'), '');
  });

  it('keeps ; and # inside a word', () => {
    assert.equal(value(' http://h/#frag', 'http'), 'http://h/#frag');
    assert.equal(value(' a;b', 'user'), 'a;b');
  });
});

describe('values: quoting for output', { timeout: 30_000 }, () => {
  it('picks the quote kind the value lacks', () => {
    assert.equal(quoteValue('a;b'), '"a;b"');
    assert.equal(quoteValue('say "hi";'), `'say "hi";'`);
    assert.equal(quoteValue(`"a" 'b'`), null);
  });

  it('quotes only what would not read back', () => {
    assert.equal(needsQuoting('true', true), false);
    assert.equal(needsQuoting("echo 'a;b'", true), true);
    assert.equal(needsQuoting('a#b', false), false);
    assert.equal(needsQuoting('a #b', false), true);
    assert.equal(needsQuoting(' x', false), true);
    assert.equal(needsQuoting("'x' y", true), true);
    assert.equal(needsQuoting('', false), false);
  });
});
