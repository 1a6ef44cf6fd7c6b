import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyLine, scanLines, splitLines } from '../../src/config/raw-lines.js';

const messages = (text: string): string[] =>
  scanLines(text).problems.map((problem) =>
    problem.source === 'file' ? `${problem.line}: ${problem.message}` : problem.message,
  );

describe('raw-lines: classifyLine', { timeout: 30_000 }, () => {
  it('skips blank lines and ; or # comments, even indented', () => {
    for (const text of ['', '   ', '; note', '# note', '   ; indented', '\t# tab']) {
      assert.deepEqual(classifyLine(text), { kind: 'skip' }, text);
    }
  });

  it('reads a section header, trimmed, with an optional trailing comment', () => {
    assert.deepEqual(classifyLine('[healthcheckd]'), { kind: 'section', name: 'healthcheckd' });
    assert.deepEqual(classifyLine('  [ agent ]  ; the HAProxy agent'), {
      kind: 'section',
      name: 'agent',
    });
    assert.deepEqual(classifyLine('[check:db] # replica'), { kind: 'section', name: 'check:db' });
  });

  it('refuses a header with text after the bracket', () => {
    assert.deepEqual(classifyLine('[agent] port = 1'), {
      kind: 'bad',
      message: 'section header: expected "[name]", found "[agent] port = 1"',
    });
  });

  it('splits key = value at the first =, keeping the raw value', () => {
    assert.deepEqual(classifyLine('  http = http://x/?a=b ; c'), {
      kind: 'entry',
      key: 'http',
      rawValue: ' http://x/?a=b ; c',
    });
    assert.deepEqual(classifyLine('user='), { kind: 'entry', key: 'user', rawValue: '' });
  });

  it('refuses a bare word, a key without =, and = without a key', () => {
    assert.deepEqual(classifyLine('b'), {
      kind: 'bad',
      message: 'expected "key = value", found "b"',
    });
    assert.deepEqual(classifyLine('= 5'), {
      kind: 'bad',
      message: 'expected "key = value", found "= 5"',
    });
  });

  it('suggests = for the key: value form', () => {
    assert.deepEqual(classifyLine('port: 9999'), {
      kind: 'bad',
      message: 'expected "key = value", found "port: 9999"; write port = 9999',
    });
  });
});

describe('raw-lines: scanLines', { timeout: 30_000 }, () => {
  it('produces entries with section, key, raw value and 1-based line', () => {
    const scan = scanLines('; top\n[healthcheckd]\nport = 9999\n\n[check:db]\ntcp = h:1 ; c\n');
    assert.deepEqual(scan.sections, [
      { name: 'healthcheckd', line: 2 },
      { name: 'check:db', line: 5 },
    ]);
    assert.deepEqual(scan.entries, [
      { section: 'healthcheckd', key: 'port', rawValue: ' 9999', line: 3 },
      { section: 'check:db', key: 'tcp', rawValue: ' h:1 ; c', line: 6 },
    ]);
    assert.deepEqual(scan.problems, []);
  });

  it('counts CRLF and CR line ends, and ignores a BOM', () => {
    assert.deepEqual(splitLines('\uFEFFa\r\nb\rc\nd'), ['a', 'b', 'c', 'd']);
    const scan = scanLines('\uFEFF[healthcheckd]\r\n\r\nport = 1\r\n');
    assert.deepEqual(scan.entries, [
      { section: 'healthcheckd', key: 'port', rawValue: ' 1', line: 3 },
    ]);
  });

  it('reports a bare word with its line', () => {
    assert.deepEqual(messages('[healthcheckd]\nport = 1\n\n\nb\n'), [
      '5: expected "key = value", found "b"',
    ]);
  });

  it('reports a duplicate key naming both lines, and keeps the first', () => {
    const text = '[healthcheckd]\nport = 1\nbind = ::1\nport = 2\n';
    assert.deepEqual(messages(text), [
      '4: duplicate key "port" in [healthcheckd]: first set on line 2; keep one',
    ]);
    assert.deepEqual(
      scanLines(text).entries.map((entry) => entry.rawValue),
      [' 1', ' ::1'],
    );
  });

  it('allows one key in two different sections', () => {
    assert.deepEqual(messages('[check:a]\ntimeout = 1s\n[check:b]\ntimeout = 1s\n'), []);
  });

  it('reports keys before any section', () => {
    assert.deepEqual(messages('port = 9999\n[healthcheckd]\n'), [
      '1: key "port" is outside any section: expected a section header such as [healthcheckd] above it',
    ]);
  });

  it('reports a duplicate section and a key repeated across its two parts', () => {
    const text = '[check:a]\ntcp = h:1\n[agent]\nport = 2\n[check:a]\ntcp = h:2\n';
    assert.deepEqual(messages(text), [
      '5: duplicate section [check:a]: first on line 1; merge the two into one',
      '6: duplicate key "tcp" in [check:a]: first set on line 2; keep one',
    ]);
  });
});
