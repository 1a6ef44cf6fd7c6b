/**
 * The daemon's own command lines (`[run] [CONFIG]`, no option) are read without yargs; every
 * one so read must be exactly what yargs makes of the same words, and every other command line
 * is left to yargs. Both readers get the same generated command lines here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseWithYargs, plainRun, type Action, type Args } from '../../src/cli/parser.js';

/** Every option an action can carry (the fields of `Args`). */
const argsKeys: readonly (keyof Args)[] = [
  'config',
  'port',
  'bind',
  'pidfile',
  'piddir',
  'spoolDir',
  'agentPort',
  'timeout',
  'logLevel',
  'logFormat',
  'command',
  'tcp',
  'http',
  'check',
  'json',
  'reason',
  'for',
];

/** The action's name and the options it carries, without yargs's own keys ($0, _, aliases). */
function meaning(action: Action | null): unknown {
  if (action === null) return null;
  const args = action.args as Record<string, unknown>;
  return {
    name: action.name,
    args: Object.fromEntries(
      argsKeys.filter((k) => args[k] !== undefined).map((k) => [k, args[k]]),
    ),
  };
}

/** yargs's reading of argv, or the message it refused it with. */
async function yargsReading(argv: readonly string[]): Promise<unknown> {
  try {
    return meaning(await parseWithYargs(argv));
  } catch (error) {
    return { refused: (error as Error).message };
  }
}

const words = fc.oneof(
  fc.constantFrom(
    'run',
    'validate',
    'check',
    'status',
    'down',
    'up',
    'completion',
    'help',
    '/etc/healthcheckd.config',
    'healthcheckd.config',
    'run.config',
    '8080',
    '0x10',
    'true',
    'a b',
    'x=y',
    '',
    '-',
    '--',
    '-h',
    '--help',
    '--version',
    '--port',
    '--port=9000',
    '--no-config',
  ),
  fc.string({ maxLength: 12 }),
);

describe('plainRun: the command lines read without yargs', { timeout: 120_000 }, () => {
  it('reads the service command lines', () => {
    assert.deepEqual(plainRun([]), { name: 'run', args: {} });
    assert.deepEqual(plainRun(['run']), { name: 'run', args: {} });
    assert.deepEqual(plainRun(['/etc/h.config']), {
      name: 'run',
      args: { config: '/etc/h.config' },
    });
  });

  it('leaves options, other commands and extra words to yargs', () => {
    for (const argv of [
      ['--help'],
      ['run', '--port', '80'],
      ['validate'],
      ['completion'],
      ['help'],
      ['a', 'b'],
      ['run', 'a', 'b'],
      ['run', '-'],
      ['run', 'help'],
      ['run', 'validate'],
      [''],
    ]) {
      assert.equal(plainRun(argv), null, argv.join(' '));
    }
  });

  it('reads every command line it takes exactly as yargs does', async () => {
    let taken = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(words, { maxLength: 3 }), async (argv) => {
        const plain = plainRun(argv);
        if (plain === null) return;
        taken += 1;
        assert.deepEqual(meaning(plain), await yargsReading(argv), JSON.stringify(argv));
      }),
      { numRuns: 1_000 },
    );
    assert.ok(taken > 50, `only ${taken} generated command lines were plain runs`);
  });
});
