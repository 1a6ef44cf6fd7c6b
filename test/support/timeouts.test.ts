import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './paths.js';
import { missingTimeouts, testFiles } from './timeouts.js';

const found = (source: string): string[] =>
  missingTimeouts(source, 'x.test.ts').map((m) => `${m.line} ${m.call} ${m.name}`.trim());

describe('every test has a timeout', { timeout: 60_000 }, () => {
  it('holds for every test file under test/', () => {
    const root = join(repoRoot, 'test');
    const files = testFiles(root);
    assert.ok(files.length > 50, `only ${files.length} test files found under ${root}`);
    const missing = files.flatMap((file) =>
      missingTimeouts(readFileSync(join(root, file), 'utf8'), `test/${file}`),
    );
    assert.deepEqual(
      missing.map(
        (m) => `${m.file}:${m.line}: ${m.call}(${JSON.stringify(m.name)}) has no timeout`,
      ),
      [],
      'give each one `{ timeout: N }` (generous: the machine may be busy), or its describe',
    );
  });
});

describe('missingTimeouts', { timeout: 10_000 }, () => {
  it('finds a test, a suite and a hook with no timeout', () => {
    const source = [
      "describe('suite', () => {",
      "  it('a', () => {});",
      '});',
      "test('b', async () => {});",
      'after(() => {});',
    ].join('\n');
    assert.deepEqual(found(source), ['1 describe suite', '2 it a', '4 test b', '5 after']);
  });

  it("accepts a test's own timeout, shorthand included, and one carried by its describe", () => {
    const source = [
      "describe('suite', { timeout: 5_000 }, () => {",
      "  it('a', () => {});",
      '  before(() => {});',
      "  describe('inner', () => { it('b', () => {}); });",
      '});',
      'const timeout = 1_000;',
      "it('c', { skip: false, timeout }, () => {});",
      "it.skip('d', { timeout: 1 }, () => {});",
    ].join('\n');
    assert.deepEqual(found(source), []);
  });

  it("does not count a hook's timeout for the tests beside it", () => {
    const source = "after(() => {}, { timeout: 1_000 });\nit('a', () => {});\n";
    assert.deepEqual(found(source), ['2 it a']);
  });

  it('knows the modifiers, and leaves todo and calls that are not node:test alone', () => {
    const source = [
      "describe.only('x', () => {});",
      "it.skip('y', () => {});",
      "it.todo('z');",
      "/a/.test('a');",
      'fc.assert(fc.property(fc.string(), (s) => /a/.test(s)));',
    ].join('\n');
    assert.deepEqual(found(source), ['1 describe.only x', '2 it.skip y']);
  });
});
