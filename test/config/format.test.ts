import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfig } from '../../src/config/format.js';
import { parseConfigText, type ConfigFlags } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/types.js';

const file = '/etc/healthcheckd.config';
const env = {
  cwd: '/srv',
  isExecutable: (path: string) => path === '/bin/bash' || path === '/bin/sh',
};

const resolve = (text: string, flags: ConfigFlags = {}): ResolvedConfig =>
  parseConfigText(text, file, flags, env).config;

/** The config without where each value came from. */
function withoutOrigins(config: ResolvedConfig): unknown {
  return {
    daemon: config.daemon,
    agent: config.agent,
    grpc: config.grpc,
    checks: config.checks.map(({ origin: _origin, ...check }) => check),
  };
}

function assertRoundTrip(config: ResolvedConfig): void {
  const again = parseConfigText(formatConfig(config), '/tmp/printed.config', {}, env).config;
  assert.deepEqual(withoutOrigins(again), withoutOrigins(config));
}

describe('format: the resolved config as INI', { timeout: 30_000 }, () => {
  it('prints the seed example with every key', () => {
    const config = resolve(
      '[healthcheckd]\npidfile = demo.pid\nport = 9999\ncommand = "test ${RANDOM: -1} -ge 5"\n',
    );
    assert.equal(
      formatConfig(config),
      [
        `; healthcheckd: resolved configuration from ${file}, every key at its resolved value`,
        '',
        '[healthcheckd]',
        'port = 9999',
        'bind = 0.0.0.0',
        'pidfile = /tmp/demo.pid',
        'piddir = /tmp',
        'shell = /bin/bash',
        'timeout = 5s',
        'status_ok = 200',
        'status_warn = 200',
        'status_fail = 503',
        'status_maintenance = 503',
        'spool_dir = /var/spool/healthcheckd',
        'log_level = info',
        'log_format = text',
        '; user: unset (checks run as the daemon user)',
        'shutdown_delay = 0s',
        'max_concurrent = 8',
        'expose_output = true',
        'access_log = false',
        'spawn_helper = auto',
        '',
        '[check:default]',
        'command = test ${RANDOM: -1} -ge 5',
        'timeout = 5s',
        '; interval: unset (runs on request)',
        '; max_age: unset (no limit)',
        'cache_pass = 0s',
        'cache_fail = 0s',
        'rise = 1',
        'fall = 1',
        '; warn_exit_codes: none',
        'critical = true',
        '; group: none',
        '; flap_threshold: unset (off)',
        '',
      ].join('\n'),
    );
    assertRoundTrip(config);
  });

  it('prints checks of each kind and the agent, and reads them back', () => {
    const text = [
      '[healthcheckd]',
      'port = 0',
      'user = nobody',
      'timeout = 1500ms',
      'shutdown_delay = 1h',
      '[check:db]',
      'command = "echo \'a;b\' # not a comment"',
      'interval = 5s',
      'warn_exit_codes = 1, 2',
      'group = ready, live',
      'critical = false',
      'flap_threshold = 25',
      '[check:pg]',
      'tcp = [::1]:5432',
      '[check:api]',
      'http = https://h/x#y',
      'expect_status = 200-299,304',
      '[agent]',
      'port = 9777',
      'weight = "command:cat /w; echo"',
      'min_weight = 10%',
      '[grpc]',
      'port = 9555',
    ].join('\n');
    const config = resolve(text);
    const printed = formatConfig(config);
    assert.match(printed, /^\[grpc\]\nport = 9555\nbind = 0\.0\.0\.0$/m);
    assert.match(printed, /^command = "echo 'a;b' # not a comment"$/m);
    assert.match(printed, /^expect_status = 200-299, 304$/m);
    assert.match(printed, /^weight = "command:cat \/w; echo"$/m);
    assert.match(printed, /^min_weight = 10%$/m);
    assert.match(printed, /^flap_threshold = 25%$/m);
    assert.match(printed, /^timeout = 1500ms$/m);
    assert.match(printed, /^max_age = 15s$/m);
    assertRoundTrip(config);
  });

  it('quotes flag commands that would not read back bare', () => {
    const commands = ['  padded  ', 'echo "a;b"', "'quoted' start", 'a#b', 'x ; y'];
    const config = resolve('', { command: commands });
    const printed = formatConfig(config);
    assert.ok(printed.includes('\ncommand = "  padded  "\n'));
    assert.match(printed, /^command = 'echo "a;b"'$/m);
    assert.match(printed, /^command = "'quoted' start"$/m);
    assert.match(printed, /^command = "a#b"$/m);
    assertRoundTrip(config);
  });

  it('says so in a comment when a command cannot be carried by INI', () => {
    const config = resolve('', { command: [`echo "a" 'b';`] });
    const printed = formatConfig(config);
    assert.match(
      printed,
      /^; command: holds both quote kinds and needs quoting, which INI cannot carry; put the command in a script: echo "a" 'b';$/m,
    );
  });

  it('round-trips random commands built from the characters INI trips on', () => {
    const alphabet = ['a', ' ', ';', '#', '"', "'", '\\', '$', '{', '=', '[', 't'];
    let seed = 42;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    let tried = 0;
    for (let round = 0; round < 300; round += 1) {
      const length = 1 + (next() % 12);
      const command = Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
      if (command.trim() === '') continue;
      const config = resolve('', { command: [command] });
      if (formatConfig(config).includes('INI cannot carry')) continue;
      assertRoundTrip(config);
      tried += 1;
    }
    assert.ok(tried > 200, `only ${tried} commands tried`);
  });
});

describe('format: random config text', { timeout: 30_000 }, () => {
  const fragments = [
    '[healthcheckd]\n',
    '[check:a]\n',
    '[check:b.c]\n',
    '[agent]\nport = 9777\n',
    'command = ',
    'tcp = h:1',
    '[check:q]\ncommand = "echo \'a;b\'" ; c\n',
    '[check:r]\ncommand = printf a\\tb\n',
    'http = http://h/',
    'group = ready',
    'timeout = 2s',
    'interval = 1s',
    'weight = command:',
    'weight = cpu',
    '"',
    "'",
    ';',
    ' ;',
    ' # c',
    '#',
    '\\',
    '=',
    ' ',
    'echo',
    '\n',
  ];

  it('is either refused with E_CONFIG or read back to the same config after formatting', () => {
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    let accepted = 0;
    for (let round = 0; round < 4000; round += 1) {
      const text = Array.from(
        { length: 4 + (next() % 16) },
        () => fragments[next() % fragments.length],
      ).join('');
      let config: ResolvedConfig;
      try {
        config = resolve(text);
      } catch (error) {
        assert.equal((error as { code?: string }).code, 'E_CONFIG', text);
        continue;
      }
      accepted += 1;
      assertRoundTrip(config);
    }
    assert.ok(accepted > 100, `only ${accepted} random configs accepted`);
  });
});
