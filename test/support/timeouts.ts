/**
 * Finds the tests and hooks that could hang for ever: node:test gives no test a timeout of its
 * own (Infinity), so on a busy machine a stuck test stalls the whole run. Every `describe`,
 * `it`, `test` and hook must carry `{ timeout }` itself or sit inside a `describe` (or `it`) that
 * does; a suite's timeout bounds its tests, hooks included.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** A call that has no timeout, neither its own nor an enclosing one. */
export interface MissingTimeout {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** `it`, `describe.skip`, `after`, ... */
  readonly call: string;
  /** The test's name when it is a string literal, else ''. */
  readonly name: string;
}

const tests = new Set(['describe', 'suite', 'it', 'test']);
const hooks = new Set(['before', 'after', 'beforeEach', 'afterEach']);
const modifiers = new Set(['skip', 'only', 'todo']);

/** `it`, `describe.skip`, `after`, or null when the call is none of node:test's. */
function callName(call: ts.CallExpression): string | null {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) {
    return tests.has(callee.text) || hooks.has(callee.text) ? callee.text : null;
  }
  if (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    tests.has(callee.expression.text) &&
    modifiers.has(callee.name.text)
  ) {
    return `${callee.expression.text}.${callee.name.text}`;
  }
  return null;
}

/** True when an object literal among the call's arguments names `timeout`. */
function hasTimeout(call: ts.CallExpression): boolean {
  return call.arguments.some(
    (argument) =>
      ts.isObjectLiteralExpression(argument) &&
      argument.properties.some(
        (property) =>
          (ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property)) &&
          ts.isIdentifier(property.name) &&
          property.name.text === 'timeout',
      ),
  );
}

/** The calls of one test file's source that have no timeout. */
export function missingTimeouts(source: string, file: string): MissingTimeout[] {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const missing: MissingTimeout[] = [];
  const visit = (node: ts.Node, covered: boolean): void => {
    let inner = covered;
    if (ts.isCallExpression(node)) {
      const call = callName(node);
      if (call !== null && !call.endsWith('.todo')) {
        const own = hasTimeout(node);
        if (!covered && !own) {
          const [first] = node.arguments;
          missing.push({
            file,
            line: tree.getLineAndCharacterOfPosition(node.getStart(tree)).line + 1,
            call,
            name: first && ts.isStringLiteralLike(first) ? first.text : '',
          });
        }
        // A hook's timeout bounds the hook only; a test's or a suite's, everything inside.
        inner = covered || (own && !hooks.has(call));
      }
    }
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(tree, false);
  return missing;
}

/** Every `*.test.ts` below `dir`, as paths relative to it. */
export function testFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix === '' ? entry.name : join(prefix, entry.name);
    if (entry.isDirectory()) return testFiles(dir, path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}
