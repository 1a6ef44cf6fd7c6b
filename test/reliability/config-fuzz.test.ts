import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatConfig } from '../../src/config/format.js';
import { parseConfigText, type ConfigFlags } from '../../src/config/load.js';
import { agentSchema, checkSchema, daemonSchema } from '../../src/config/schema.js';
import { HealthcheckdError } from '../../src/errors.js';
import type { CheckDefinition, ResolvedConfig } from '../../src/types.js';

const file = '/srv/fuzz.config';
const env = { cwd: '/srv', isExecutable: () => true };
/** Every property is bounded in runs and time, so the suite stays fast on a busy CI host. */
const bounded = (numRuns: number) => ({ numRuns, interruptAfterTimeLimit: 30_000 });

type Outcome =
  | { readonly kind: 'parsed'; readonly config: ResolvedConfig }
  | { readonly kind: 'refused'; readonly error: HealthcheckdError };

/**
 * Parses, and lets through only the two allowed outcomes: a config, or a HealthcheckdError
 * E_CONFIG/E_USAGE whose every problem names the file (or the command line, for a flag).
 * Anything else is rethrown.
 */
function parse(text: string, flags: ConfigFlags = {}): Outcome {
  try {
    return { kind: 'parsed', config: parseConfigText(text, file, flags, env).config };
  } catch (error) {
    if (!(error instanceof HealthcheckdError)) throw error;
    assert.ok(['E_CONFIG', 'E_USAGE'].includes(error.code), `code ${error.code}: ${error.message}`);
    assert.ok(error.details.length > 0, `a refusal lists its problems: ${error.message}`);
    for (const detail of error.details) {
      assert.ok(detail.startsWith(file) || detail.startsWith('command line: '), detail);
    }
    return { kind: 'refused', error };
  }
}

/** `[healthcheckd]` reads `%%` as `%` (configparser's interpolation, DESIGN §2). */
const configparserRead = (text: string): string => text.replaceAll('%%', '%');

/** A parsed config has a check, and every command it would run is written in the text. */
function assertSane(text: string, config: ResolvedConfig): void {
  assert.ok(config.checks.length > 0, 'a config with no check is refused');
  for (const check of config.checks) {
    assert.ok(check.target.trim() !== '', `check ${check.name} has an empty target`);
    if (check.kind === 'command')
      assert.ok(
        text.includes(check.target) || configparserRead(text).includes(check.target),
        `command ${JSON.stringify(check.target)} invented`,
      );
  }
}

const withoutOrigin = ({ origin: _origin, ...check }: CheckDefinition) => check;

/** `validate` prints the config as INI that reads back to the same thing. */
function assertReadsBack(config: ResolvedConfig): void {
  const printed = formatConfig(config);
  const again = parse(printed);
  assert.equal(again.kind, 'parsed', printed);
  if (again.kind !== 'parsed') return;
  assert.deepEqual(again.config.daemon, config.daemon, printed);
  assert.deepEqual(again.config.checks.map(withoutOrigin), config.checks.map(withoutOrigin));
  assert.deepEqual(again.config.agent, config.agent, printed);
}

/** Characters that matter to INI, quoting, comments and line splitting. */
const special = fc.constantFrom(
  ...['[', ']', '=', ';', '#', '"', "'", '\\', ':', ' ', '\t', '\n', '\r', '\r\n', '\0'],
  ...['a', 'z', '0', '.', '-', '_', '$', '\u00a0', '\u2028', '\ufeff', 'é', '💥', '\u202e'],
);
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

const anyText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.string({ unit: special, maxLength: 200 }),
  fc.string({ unit: fc.oneof(special, loneSurrogate), maxLength: 50 }),
);

const sectionNames = [
  ...['healthcheckd', 'agent', 'check:x', 'check:db', 'check:web.1', 'check:check', 'check:'],
  ...['check:bad name', 'check:x;y', 'junk', '__proto__', 'check:__proto__', 'constructor'],
  ...['a.b', 'check:a.b', 'Healthcheckd', '', ' healthcheckd ', 'check:x]'],
];
const realKeys = [
  ...new Set([
    ...Object.keys(daemonSchema),
    ...Object.keys(checkSchema),
    ...Object.keys(agentSchema),
  ]),
];
const junkKeys = [
  ...['comand', 'Port', 'COMMAND', '__proto__', 'constructor', 'toString', 'hasOwnProperty'],
  ...['a.b', 'key with space', 'x[]', 'k:v', ';key', '#key', '"command"', 'port '],
];
const valueWords = [
  ...['', '0', '1', '9999', '65536', '-1', '1e3', '0x10', '5s', '500ms', '2m', '1h', '0s'],
  ...['999999h', 'true', 'false', 'yes', 'off', 'cpu', 'none', 'command:true', 'command:'],
  ...['127.0.0.1:5432', '[::1]:80', 'localhost:0', 'http://127.0.0.1/', 'https://h/#frag'],
  ...['ftp://x', '200-299', '200,204', '599-200', 'ready, live', 'check', 'metrics', 'ready'],
  ...['/bin/sh', 'sh', 'true', 'echo a', "echo 'a;b'", 'echo "a#b"', 'drain', 'maint', '10%'],
  ...['0%', '101%', 'debug', 'json', 'text', '0.0.0.0', '::', '/tmp', 'demo.pid', 'nobody'],
  ...['test ${RANDOM: -1} -ge 5', 'a\\', '\\"', '1 2 3', '${x}', '$(id)', '`id`'],
];

/** A value as an operator might write it: bare, quoted, half-quoted, with comments. */
const value = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...valueWords) },
      { weight: 1, arbitrary: fc.string({ unit: special, maxLength: 20 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
    ),
    fc.constantFrom(...['bare', '"q"', "'q'", '"open', "'open", 'q" tail', 'mixed']),
    fc.constantFrom(...['', ' ; note', ' # note', ';glued', '#glued', '  ', ' ; "x"', " # 'y"]),
  )
  .map(([text, quoting, comment]) => {
    const quoted = {
      bare: text,
      '"q"': `"${text}"`,
      "'q'": `'${text}'`,
      '"open': `"${text}`,
      "'open": `'${text}`,
      'q" tail': `"${text}" tail`,
      mixed: `"${text}'`,
    }[quoting];
    return `${quoted}${comment}`;
  });

const key = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...realKeys) },
  { weight: 1, arbitrary: fc.constantFrom(...junkKeys) },
);

const line = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(key, fc.constantFrom(' = ', '=', ' =', '= ', '\t=\t', ': ', ' ', ' == '), value)
      .map(([k, separator, v]) => `${k}${separator}${v}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...sectionNames), fc.constantFrom('', ' ; c', ' # c', ' junk', ']'))
      .map(([name, suffix]) => `[${name}]${suffix}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('', '; comment', '# comment', '   ', ';', '[', '=') },
  { weight: 1, arbitrary: fc.string({ unit: special, maxLength: 30 }) },
);

/** Often a plausible config (a section with a command first), sometimes anything. */
const iniText = fc
  .tuple(
    fc.constantFrom('', '[healthcheckd]\ncommand = true\n', '[check:ok]\ntcp = 127.0.0.1:1\n'),
    fc.array(line, { maxLength: 25 }),
    fc.constantFrom('\n', '\r\n', '\r'),
    fc.boolean(),
  )
  .map(([prefix, lines, eol, bom]) => `${bom ? '\ufeff' : ''}${prefix}${lines.join(eol)}${eol}`);

describe('config loader fuzzing', { timeout: 60_000 }, () => {
  it('never throws anything but E_CONFIG/E_USAGE on arbitrary strings', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const outcome = parse(text);
        if (outcome.kind === 'parsed') {
          assertSane(text, outcome.config);
          assertReadsBack(outcome.config);
        }
      }),
      bounded(2_000),
    );
  });

  it('never throws anything but E_CONFIG/E_USAGE on INI-ish texts; what parses reads back', () => {
    let parsed = 0;
    fc.assert(
      fc.property(iniText, (text) => {
        const outcome = parse(text);
        if (outcome.kind === 'parsed') {
          parsed += 1;
          assertSane(text, outcome.config);
          assertReadsBack(outcome.config);
        }
      }),
      bounded(2_000),
    );
    // Without this the property could pass by refusing everything.
    assert.ok(parsed >= 20, `only ${parsed} of 2000 generated configs parsed`);
  });
});

/** Any text an operator could write on one line as a command (no line break). */
const commandText = fc
  .oneof(
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.string({ unit: special, maxLength: 40 }),
  )
  .map((text) => text.replace(/[\r\n\0]/g, ' '));

const placements = [
  { header: '[healthcheckd]', name: 'default' },
  { header: '[check:c]', name: 'c' },
] as const;

function commandTarget(text: string, name: string): string | null {
  const outcome = parse(text);
  if (outcome.kind === 'refused') return null;
  const check = outcome.config.checks.find((candidate) => candidate.name === name);
  assert.ok(check, `the check ${name} exists`);
  assert.equal(check.kind, 'command');
  return check.target;
}

describe('a command is never silently misread', { timeout: 60_000 }, () => {
  it('a quoted command runs exactly as written between the quotes', () => {
    fc.assert(
      fc.property(
        commandText,
        fc.constantFrom('"', "'"),
        fc.constantFrom(...placements),
        (c, quote, { header, name }) => {
          const read = (value: string): string =>
            header === '[healthcheckd]' ? configparserRead(value) : value;
          const target = commandTarget(`${header}\ncommand = ${quote}${c}${quote}\n`, name);
          if (target === null) return;
          const close = c.indexOf(quote);
          if (close < 0) {
            assert.equal(target, read(c));
            return;
          }
          // A quote inside ends the value, and only a comment may follow it (as documented).
          assert.equal(target, read(c.slice(0, close)));
          assert.match(`${c.slice(close + 1)}${quote}`, /^\s+[;#]/);
        },
      ),
      bounded(2_000),
    );
  });

  it('a bare command parses only without ; or #, and runs trimmed', () => {
    fc.assert(
      fc.property(commandText, fc.constantFrom(...placements), (c, { header, name }) => {
        // A value that starts with a quote is a quoted value, covered above.
        fc.pre(!/^["']/.test(c.trim()));
        const target = commandTarget(`${header}\ncommand = ${c}\n`, name);
        if (target === null) return;
        assert.ok(!/[;#]/.test(c), `${JSON.stringify(c)} holds ; or # and still parsed`);
        assert.equal(target, header === '[healthcheckd]' ? configparserRead(c.trim()) : c.trim());
      }),
      bounded(2_000),
    );
  });

  it('a quoted command may carry a trailing comment, which is not run', () => {
    fc.assert(
      fc.property(
        commandText.filter((c) => !c.includes('"') && c.trim() !== ''),
        fc.constantFrom(' ;', ' #', '\t;', '  # '),
        fc.string({ maxLength: 20 }).map((text) => text.replace(/[\r\n]/g, ' ')),
        (c, lead, comment) => {
          const target = commandTarget(`[check:c]\ncommand = "${c}"${lead}${comment}\n`, 'c');
          assert.equal(target, c);
        },
      ),
      bounded(1_000),
    );
  });
});

describe('a command that can never run', { timeout: 60_000 }, () => {
  it('is refused at load when it holds a NUL byte (spawn rejects it at every run)', {}, () => {
    for (const text of ['[healthcheckd]\ncommand = "echo a\0b"\n', '[check:c]\ncommand = a\0\n']) {
      const outcome = parse(text);
      assert.equal(outcome.kind, 'refused', JSON.stringify(text));
    }
  });
});

describe('validate prints what it read', { timeout: 60_000 }, () => {
  /** Text as a flag may carry it: anything, line breaks included. */
  const flagText = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: special, maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
  );

  /** A --pidfile INI can carry (the test below shows one it cannot is refused). */
  const pidfileText = flagText.filter(
    (text) => !/[\r\n]/.test(text) && !(text.includes('"') && text.includes("'")),
  );

  it('its output reads back to the same config, or is refused (never a different one)', () => {
    let roundTrips = 0;
    const kinds = fc.constantFrom('command', 'tcp', 'http');
    fc.assert(
      fc.property(flagText, fc.option(pidfileText), kinds, (c, pidfile, kind) => {
        const flags: ConfigFlags = { [kind]: [c], ...(pidfile === null ? {} : { pidfile }) };
        const first = parse('[healthcheckd]\n', flags);
        if (first.kind === 'refused') return;
        const printed = formatConfig(first.config);
        const second = parse(printed);
        if (second.kind === 'refused') {
          // Only a check target INI cannot carry may be left out, and then it says so.
          assert.match(printed, /^; \w+: holds (a line break|both quote kinds)/m, printed);
          return;
        }
        roundTrips += 1;
        assert.deepEqual(second.config.daemon, first.config.daemon, printed);
        assert.deepEqual(
          second.config.checks.map(withoutOrigin),
          first.config.checks.map(withoutOrigin),
          printed,
        );
      }),
      bounded(2_000),
    );
    assert.ok(roundTrips >= 200, `only ${roundTrips} configs read back`);
  });

  it('a --pidfile INI cannot carry is refused, never silently replaced by the default', () => {
    for (const pidfile of ['run\nx.pid', `it's "x" ;1.pid`]) {
      const first = parse('[healthcheckd]\n', { command: ['true'], pidfile });
      assert.equal(first.kind, 'refused', pidfile);
      if (first.kind === 'refused') {
        assert.equal(first.error.code, 'E_USAGE');
        assert.match(first.error.details.join('\n'), /--pidfile/);
      }
    }
  });
});

describe('an [agent] weight command is never silently misread', { timeout: 60_000 }, () => {
  const agent = (value: string) =>
    `[healthcheckd]\ncommand = true\n[agent]\nport = 9777\nweight = ${value}\n`;
  const weightCommand = (text: string): string | null => {
    const outcome = parse(text);
    if (outcome.kind === 'refused') return null;
    const weight = outcome.config.agent?.weight;
    assert.equal(weight?.kind, 'command', text);
    return weight.kind === 'command' ? weight.command : null;
  };

  it('quoted: the command between the quotes; bare: only without ; or #', () => {
    fc.assert(
      fc.property(commandText, fc.boolean(), (c, quoted) => {
        fc.pre(!/^["']/.test(c.trim()));
        fc.pre(!quoted || !c.includes('"'));
        const command = weightCommand(agent(quoted ? `"command:${c}"` : `command:${c}`));
        if (command === null) return;
        if (!quoted) assert.ok(!/[;#]/.test(c), `${JSON.stringify(c)} holds ; or # and parsed`);
        assert.equal(command, c.trim());
      }),
      bounded(1_000),
    );
  });
});
