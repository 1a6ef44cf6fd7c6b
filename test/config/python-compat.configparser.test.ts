import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/types.js';
import { parseDuration } from '../../src/util/duration.js';
import { meantValue, readWithConfigparser, type PythonValue } from '../support/configparser.js';
import { fixtures } from '../support/paths.js';
import { requireProgram } from '../support/programs.js';

const corpus = join(fixtures, 'python-configs');
const files = readdirSync(corpus)
  .filter((name) => name.endsWith('.config'))
  .sort();

/** The Python `pid` package's rule, written out here as the oracle for `pidfile`. */
const pidName = (name: string): string => (name.endsWith('.pid') ? name : `${name}.pid`);

type Expect = (config: ResolvedConfig, meant: string, python: Map<string, PythonValue>) => void;

const piddirOf = (python: Map<string, PythonValue>, base: string): string => {
  const given = python.get('piddir');
  return resolve(base, given === undefined ? '/tmp' : meantValue(given));
};

const text = (pick: (config: ResolvedConfig) => string | number | boolean | null): Expect => {
  return (config, meant) => assert.equal(String(pick(config)), meant);
};

const ms = (pick: (config: ResolvedConfig) => number): Expect => {
  return (config, meant) => assert.equal(pick(config), parseDuration(meant));
};

/** How each `[healthcheckd]` key of the corpus shows in the resolved config. */
function expectations(file: string): ReadonlyMap<string, Expect> {
  const base = dirname(file);
  return new Map<string, Expect>([
    ['port', text((c) => c.daemon.port)],
    ['bind', text((c) => c.daemon.bind)],
    ['piddir', (c, meant) => assert.equal(c.daemon.piddir, resolve(base, meant))],
    [
      'pidfile',
      (c, meant, python) =>
        assert.equal(c.daemon.pidfile, resolve(piddirOf(python, base), pidName(meant))),
    ],
    ['command', text((c) => c.checks.find((check) => check.name === 'default')?.target ?? null)],
    ['timeout', ms((c) => c.daemon.timeoutMs)],
    ['log_level', text((c) => c.daemon.logLevel)],
    ['log_format', text((c) => c.daemon.logFormat)],
    ['status_fail', text((c) => c.daemon.statusCodes.fail)],
    ['max_concurrent', text((c) => c.daemon.maxConcurrent)],
    ['expose_output', text((c) => c.daemon.exposeOutput)],
  ]);
}

describe(
  'python-compat: every file of the corpus reads as Python configparser reads it',
  { timeout: 120_000, skip: requireProgram('python3') },
  () => {
    it('has a corpus', { timeout: 5_000 }, () => assert.ok(files.length >= 10, files.join(' ')));

    for (const name of files) {
      describe(name, { timeout: 60_000 }, () => {
        const file = join(corpus, name);
        let python = new Map<string, PythonValue>();
        before(async () => (python = await readWithConfigparser(file)), { timeout: 30_000 });

        it('gives the value configparser gives for every key', { timeout: 30_000 }, () => {
          const { config } = loadConfig(file, {});
          const expect = expectations(file);
          assert.ok(python.size > 0, 'configparser read no key');
          for (const [key, read] of python) {
            const compare = expect.get(key);
            assert.ok(compare !== undefined, `${name}: no comparison for key ${key}`);
            try {
              compare(config, meantValue(read), python);
            } catch (error) {
              assert.fail(`${name}: ${key}: ${(error as Error).message}`);
            }
          }
        });
      });
    }
  },
);
