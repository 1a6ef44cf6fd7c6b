import { defaultHttpOptions } from '../../src/config/resolve-http.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig, parseConfigText, type ConfigFlags } from '../../src/config/load.js';
import { HealthcheckdError } from '../../src/errors.js';

const file = '/etc/healthcheckd.config';
const env = {
  cwd: '/srv',
  isExecutable: (path: string) => path === '/bin/bash' || path === '/bin/sh',
};

function refusal(run: () => unknown): HealthcheckdError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof HealthcheckdError, String(error));
    return error;
  }
  assert.fail('expected a HealthcheckdError');
}

const problemsOf = (text: string, flags: ConfigFlags = {}): readonly string[] =>
  refusal(() => parseConfigText(text, file, flags, env)).details;

describe('load: the seed example', { timeout: 30_000 }, () => {
  const seed = [
    '[healthcheckd]',
    'pidfile = demo.pid',
    'port = 9999',
    'command = "test ${RANDOM: -1} -ge 5"',
    '',
  ].join('\n');

  it('resolves the command without quotes, pidfile under /tmp, port 9999', () => {
    const { config, corrections } = parseConfigText(seed, file, {});
    assert.equal(config.file, file);
    assert.equal(config.daemon.port, 9999);
    assert.equal(config.daemon.pidfile, '/tmp/demo.pid');
    assert.equal(config.checks.length, 1);
    assert.deepEqual(config.checks[0], {
      name: 'default',
      kind: 'command',
      target: 'test ${RANDOM: -1} -ge 5',
      timeoutMs: 5000,
      intervalMs: null,
      maxAgeMs: null,
      cachePassMs: 0,
      cacheFailMs: 0,
      rise: 1,
      fall: 1,
      warnExitCodes: [],
      critical: true,
      groups: [],
      expectStatus: [{ from: 200, to: 399 }],
      http: defaultHttpOptions,
      flapThresholdPercent: null,
      origin: { file, line: 4 },
    });
    assert.equal(config.agent, null);
    assert.deepEqual(corrections, []);
  });
});

describe('load: defaults', { timeout: 30_000 }, () => {
  it('fills every [healthcheckd] key with the default the README gives', () => {
    const { config } = parseConfigText('[check:a]\ntcp = 127.0.0.1:5432\n', file, {}, env);
    assert.deepEqual(config.daemon, {
      port: 9999,
      bind: '0.0.0.0',
      pidfile: '/tmp/healthcheckd-9999.pid',
      piddir: '/tmp',
      shell: '/bin/bash',
      timeoutMs: 5000,
      statusCodes: { ok: 200, warn: 200, fail: 503, maintenance: 503 },
      spoolDir: '/var/spool/healthcheckd',
      logLevel: 'info',
      logFormat: 'text',
      user: null,
      shutdownDelayMs: 0,
      maxConcurrent: 8,
      exposeOutput: true,
      accessLog: false,
      spawnHelper: 'auto',
    });
  });

  it('falls back to /bin/sh when bash is not executable', () => {
    const onlySh = { cwd: '/srv', isExecutable: (path: string) => path === '/bin/sh' };
    const { config } = parseConfigText('[check:a]\ntcp = h:1\n', file, {}, onlySh);
    assert.equal(config.daemon.shell, '/bin/sh');
  });

  it('reads every [healthcheckd] key', () => {
    const text = [
      '[healthcheckd]',
      'port = 0',
      'bind = ::1',
      'piddir = run',
      'shell = /bin/sh',
      'timeout = 500ms',
      'status_ok = 204',
      'status_warn = 299',
      'status_fail = 504',
      'status_maintenance = 404',
      'spool_dir = /var/lib/hc',
      'log_level = debug',
      'log_format = json',
      'user = nobody',
      'shutdown_delay = 2m',
      'max_concurrent = 1',
      'expose_output = off',
      'access_log = yes',
      'spawn_helper = /usr/local/libexec/hc-spawn',
      'command = true',
    ].join('\n');
    const { config } = parseConfigText(text, '/etc/hc/h.config', {}, env);
    assert.deepEqual(config.daemon, {
      port: 0,
      bind: '::1',
      pidfile: '/etc/hc/run/healthcheckd-0.pid',
      piddir: '/etc/hc/run',
      shell: '/bin/sh',
      timeoutMs: 500,
      statusCodes: { ok: 204, warn: 299, fail: 504, maintenance: 404 },
      spoolDir: '/var/lib/hc',
      logLevel: 'debug',
      logFormat: 'json',
      user: 'nobody',
      shutdownDelayMs: 120_000,
      maxConcurrent: 1,
      exposeOutput: false,
      accessLog: true,
      spawnHelper: '/usr/local/libexec/hc-spawn',
    });
  });

  it('takes auto, off or an absolute path for spawn_helper, and refuses a bare name', () => {
    for (const value of ['auto', 'off', '/opt/hc/spawn']) {
      const text = `[healthcheckd]\nspawn_helper = ${value}\ncommand = true\n`;
      assert.equal(parseConfigText(text, file, {}, env).config.daemon.spawnHelper, value);
    }
    assert.throws(
      () =>
        parseConfigText('[healthcheckd]\nspawn_helper = helper\ncommand = true\n', file, {}, env),
      (error: Error & { details?: string[] }) =>
        (error.details ?? []).includes(
          `${file}:2: spawn_helper: expected auto, off or the absolute path of the spawn helper, found "helper"`,
        ),
    );
  });

  it('keeps an absolute pidfile as it is', () => {
    const text = '[healthcheckd]\npidfile = /run/hc.pid\npiddir = /var/run\ncommand = true\n';
    assert.equal(parseConfigText(text, file, {}, env).config.daemon.pidfile, '/run/hc.pid');
  });
});

describe('load: check sections', { timeout: 30_000 }, () => {
  it('reads every check key', () => {
    const text = [
      '[check:mysql-replica]',
      'command = /usr/local/lib/healthcheckd/mysql-replica-lag.sh 30',
      'timeout = 3s',
      'interval = 5s',
      'max_age = 15s',
      'cache_pass = 27s',
      'cache_fail = 9s',
      'rise = 2',
      'fall = 3',
      'warn_exit_codes = 1 3,4',
      'critical = no',
      'group = ready, live',
      '',
      '[check:api]',
      'http = http://127.0.0.1:8080/health   ; pass on 2xx/3xx',
      'expect_status = 200-299, 304',
    ].join('\n');
    const [replica, api] = parseConfigText(text, file, {}, env).config.checks;
    assert.deepEqual(replica, {
      name: 'mysql-replica',
      kind: 'command',
      target: '/usr/local/lib/healthcheckd/mysql-replica-lag.sh 30',
      timeoutMs: 3000,
      intervalMs: 5000,
      maxAgeMs: 15_000,
      cachePassMs: 27_000,
      cacheFailMs: 9000,
      rise: 2,
      fall: 3,
      warnExitCodes: [1, 3, 4],
      critical: false,
      groups: ['ready', 'live'],
      expectStatus: [{ from: 200, to: 399 }],
      http: defaultHttpOptions,
      flapThresholdPercent: null,
      origin: { file, line: 1 },
    });
    assert.equal(api?.kind, 'http');
    assert.equal(api?.target, 'http://127.0.0.1:8080/health');
    assert.deepEqual(api?.expectStatus, [
      { from: 200, to: 299 },
      { from: 304, to: 304 },
    ]);
    assert.equal(api?.timeoutMs, 5000);
  });

  it('defaults max_age to 3 x interval and a check timeout to [healthcheckd] timeout', () => {
    const text = '[healthcheckd]\ntimeout = 2s\n[check:a]\ntcp = [::1]:5432\ninterval = 10s\n';
    const check = parseConfigText(text, file, {}, env).config.checks[0];
    assert.equal(check?.maxAgeMs, 30_000);
    assert.equal(check?.timeoutMs, 2000);
    assert.equal(check?.target, '[::1]:5432');
  });

  it('reads [agent]', () => {
    const text =
      '[check:a]\ntcp = h:1\n[agent]\nport = 9777\nweight = cpu\nmin_weight = 10%\nmaintenance = maint\n';
    assert.deepEqual(parseConfigText(text, file, {}, env).config.agent, {
      port: 9777,
      weight: { kind: 'cpu' },
      minWeight: 10,
      maintenance: 'maint',
    });
    const plain =
      '[check:a]\ntcp = h:1\n[agent]\nport = 9777\nweight = command:/usr/bin/w\nmin_weight = 25\n';
    assert.deepEqual(parseConfigText(plain, file, {}, env).config.agent, {
      port: 9777,
      weight: { kind: 'command', command: '/usr/bin/w' },
      minWeight: 25,
      maintenance: 'drain',
    });
  });
});

describe('load: flags', { timeout: 30_000 }, () => {
  it('override file keys; --pidfile is relative to cwd', () => {
    const text = '[healthcheckd]\nport = 9999\nbind = 0.0.0.0\ntimeout = 5s\ncommand = true\n';
    const flags = {
      port: '8080',
      bind: '127.0.0.1',
      pidfile: 'run/hc.pid',
      timeout: '1s',
      logLevel: 'warn',
      logFormat: 'json',
    };
    const { daemon, checks } = parseConfigText(text, file, flags, env).config;
    assert.equal(daemon.port, 8080);
    assert.equal(daemon.bind, '127.0.0.1');
    assert.equal(daemon.pidfile, '/srv/run/hc.pid');
    assert.equal(daemon.timeoutMs, 1000);
    assert.equal(daemon.logLevel, 'warn');
    assert.equal(daemon.logFormat, 'json');
    assert.equal(checks[0]?.timeoutMs, 1000);
  });

  it('uses the --port in the default pidfile name and accepts a number', () => {
    const { daemon } = parseConfigText('[check:a]\ntcp = h:1\n', file, { port: 7000 }, env).config;
    assert.equal(daemon.pidfile, '/tmp/healthcheckd-7000.pid');
  });

  it('add checks named by kind and order, after the file checks', () => {
    const flags = {
      command: ['true', 'test -f /x'],
      tcp: ['127.0.0.1:5432'],
      http: ['http://127.0.0.1/'],
    };
    const { checks } = parseConfigText('[check:a]\ntcp = h:1\n', file, flags, env).config;
    assert.deepEqual(
      checks.map((check) => [
        check.name,
        check.kind,
        check.target,
        check.origin.file,
        check.origin.line,
      ]),
      [
        ['a', 'tcp', 'h:1', file, 1],
        ['command-1', 'command', 'true', 'command line', 0],
        ['command-2', 'command', 'test -f /x', 'command line', 0],
        ['tcp-1', 'tcp', '127.0.0.1:5432', 'command line', 0],
        ['http-1', 'http', 'http://127.0.0.1/', 'command line', 0],
      ],
    );
  });

  it('report a bad flag as a usage error (exit 2) when every problem is in the flags', () => {
    const error = refusal(() =>
      parseConfigText('[check:a]\ntcp = h:1\n', file, { port: 'abc', tcp: ['nope'] }, env),
    );
    assert.equal(error.code, 'E_USAGE');
    assert.equal(error.exitCode, 2);
    assert.equal(error.message, 'command line: 2 problems in the flags; fix them and start again');
    assert.deepEqual(error.details, [
      'command line: --port: expected an integer from 0 to 65535, found "abc"',
      'command line: --tcp: expected host:port or [IPv6]:port with a port from 1 to 65535, such as 127.0.0.1:5432, found "nope"',
    ]);
  });

  it('report a config error when the file has problems too', () => {
    const error = refusal(() =>
      parseConfigText('[check:a]\ntcp = h\n', file, { logLevel: 'loud' }, env),
    );
    assert.equal(error.code, 'E_CONFIG');
    assert.equal(error.exitCode, 78);
    assert.deepEqual(error.details, [
      `${file}:2: tcp: expected host:port or [IPv6]:port with a port from 1 to 65535, such as 127.0.0.1:5432, found "h"`,
      'command line: --log-level: expected error or warn or info or debug, found "loud"',
    ]);
  });

  it('clash with a [check:NAME] of the same name', () => {
    assert.deepEqual(problemsOf('[check:tcp-1]\ntcp = h:1\n', { tcp: ['h:2'] }), [
      `${file}:1: check name "tcp-1" is also the name of a check added by --tcp (flag checks are named tcp-1, tcp-2, ...); rename [check:tcp-1]`,
    ]);
  });
});

describe('load: problems', { timeout: 30_000 }, () => {
  it('reports every problem at once with file:line', () => {
    const text = [
      '[healthcheckd]',
      'comand = true',
      'port = 70000',
      'timeout = soon',
      'b',
      '[check:db]',
      "command = echo 'a;b'",
      '[check:web]',
      'http = ftp://x/',
      'rise = 0',
    ].join('\n');
    const error = refusal(() => parseConfigText(text, file, {}, env));
    assert.equal(error.code, 'E_CONFIG');
    assert.equal(error.message, `${file}: configuration has 7 problems; fix them and start again`);
    assert.deepEqual(error.details, [
      `${file}:2: unknown key "comand" in [healthcheckd]; did you mean "command"?`,
      `${file}:3: port: expected an integer from 0 to 65535, found "70000"`,
      `${file}:4: timeout: expected a duration such as 500ms, 5s or 2m, > 0 and at most 596h, found "soon"`,
      `${file}:5: expected "key = value", found "b"`,
      `${file}:7: ';' starts an INI comment; quote the whole value: command = "echo 'a;b'"`,
      `${file}:9: http: expected an absolute http:// or https:// URL, such as http://127.0.0.1:8080/health, found "ftp://x/"`,
      `${file}:10: rise: expected an integer >= 1, found "0"`,
    ]);
  });

  it('refuses a config with no check at all', () => {
    const error = refusal(() => parseConfigText('[healthcheckd]\nport = 9999\n', file, {}, env));
    assert.equal(error.code, 'E_CONFIG');
    assert.equal(error.message, `${file}: configuration has 1 problem; fix it and start again`);
    assert.deepEqual(error.details, [
      `${file}: no check configured: add \`command = ...\` to [healthcheckd] or a [check:NAME] section (healthcheckd never answers OK without a check)`,
    ]);
  });

  it('refuses unknown sections and keys with a did-you-mean', () => {
    const text = [
      '[healthcheck]',
      'port = 1',
      '[check-db]',
      '[agnet]',
      '[check:a]',
      'comand = true',
      'interval = 1s',
      'pidfile = x',
      'colour = red',
      '[healthcheckd]',
      'max_age = 1s',
    ].join('\n');
    assert.deepEqual(problemsOf(text), [
      `${file}:1: unknown section [healthcheck]: expected [healthcheckd], [check:NAME], [agent] or [grpc]; did you mean [healthcheckd]?`,
      `${file}:3: unknown section [check-db]: expected [healthcheckd], [check:NAME], [agent] or [grpc]; did you mean [check:db]?`,
      `${file}:4: unknown section [agnet]: expected [healthcheckd], [check:NAME], [agent] or [grpc]; did you mean [agent]?`,
      `${file}:5: [check:a]: expected exactly one of command, tcp or http, found none`,
      `${file}:6: unknown key "comand" in [check:a]; did you mean "command"?`,
      `${file}:8: unknown key "pidfile" in [check:a]; "pidfile" belongs in a [healthcheckd] section`,
      `${file}:9: unknown key "colour" in [check:a]; expected one of: command, tcp, http, timeout, interval, max_age, cache_pass, cache_fail, rise, fall, warn_exit_codes, critical, group, expect_status, method, header, expect_body, tls_verify, ca, flap_threshold`,
      `${file}:11: unknown key "max_age" in [healthcheckd]; "max_age" belongs in a [check:NAME] section`,
    ]);
  });

  it('refuses a bad check name', () => {
    assert.deepEqual(problemsOf('[check:my db]\ntcp = h:1\n[check:]\n'), [
      `${file}:1: [check:my db]: expected a name made of A-Z a-z 0-9 _ . - after "check:", found "my db"`,
      `${file}:3: [check:]: expected a name made of A-Z a-z 0-9 _ . - after "check:", found ""`,
    ]);
  });

  it('refuses two kinds in one check, naming both lines', () => {
    assert.deepEqual(problemsOf('[check:a]\ncommand = true\ntcp = h:1\n'), [
      `${file}:3: [check:a]: expected exactly one of command, tcp or http, found command (line 2) and tcp (line 3)`,
    ]);
  });

  it('refuses the "default" shorthand clashing with [check:default]', () => {
    assert.deepEqual(problemsOf('[healthcheckd]\ncommand = true\n[check:default]\ntcp = h:1\n'), [
      `${file}:3: check name "default" is taken by the command shorthand on line 2; rename [check:default] or drop the shorthand`,
    ]);
  });

  it('refuses max_age shorter than interval', () => {
    assert.deepEqual(problemsOf('[check:a]\ntcp = h:1\ninterval = 10s\nmax_age = 5s\n'), [
      `${file}:4: max_age: expected at least the interval (10s), found "5s"`,
    ]);
  });

  it('refuses keys of another kind of check', () => {
    assert.deepEqual(
      problemsOf('[check:a]\ntcp = h:1\nexpect_status = 200\nwarn_exit_codes = 1\n'),
      [
        `${file}:3: expect_status: only http checks use it, and [check:a] is a tcp check; remove the line`,
        `${file}:4: warn_exit_codes: only command checks use it, and [check:a] is a tcp check; remove the line`,
      ],
    );
  });

  it('checks [agent]: port required, not the daemon port', () => {
    assert.deepEqual(problemsOf('[check:a]\ntcp = h:1\n[agent]\nweight = cpu\n'), [
      `${file}:3: [agent]: expected a port (an integer from 1 to 65535), found none; add port = 9777`,
    ]);
    assert.deepEqual(problemsOf('[check:a]\ntcp = h:1\n[agent]\nport = 9999\n'), [
      `${file}:4: port: expected a port other than the [healthcheckd] port 9999, found "9999"`,
    ]);
    assert.deepEqual(
      problemsOf('[healthcheckd]\nport = 9777\n[check:a]\ntcp = h:1\n[agent]\nport = 9000\n', {
        port: 9000,
      }),
      [`${file}:6: port: expected a port other than the [healthcheckd] port 9000, found "9000"`],
    );
  });

  it('refuses a [grpc] port that [agent] already takes, with its line', () => {
    const text = '[check:a]\ntcp = h:1\n[agent]\nport = 9777\n[grpc]\nport = 9777\n';
    assert.deepEqual(problemsOf(text), [
      `${file}:6: port: expected a port other than the [agent] port 9777, found "9777"`,
    ]);
  });

  it('reads [grpc]: port required, bind defaults to [healthcheckd] bind, not the daemon port', () => {
    const text = '[healthcheckd]\nbind = 127.0.0.1\n[check:a]\ntcp = h:1\n[grpc]\nport = 9555\n';
    assert.deepEqual(parseConfigText(text, file, {}, env).config.grpc, {
      port: 9555,
      bind: '127.0.0.1',
    });
    const own = '[check:a]\ntcp = h:1\n[grpc]\nport = 9555\nbind = ::1\n';
    assert.deepEqual(parseConfigText(own, file, {}, env).config.grpc, { port: 9555, bind: '::1' });
    assert.equal(parseConfigText('[check:a]\ntcp = h:1\n', file, {}, env).config.grpc, null);
    assert.deepEqual(problemsOf('[check:a]\ntcp = h:1\n[grpc]\nbind = 0.0.0.0\n'), [
      `${file}:3: [grpc]: expected a port (an integer from 1 to 65535), found none; add port = 9555`,
    ]);
    assert.deepEqual(problemsOf('[check:a]\ntcp = h:1\n[grpc]\nport = 9999\n'), [
      `${file}:4: port: expected a port other than the [healthcheckd] port 9999, found "9999"`,
    ]);
  });

  it('refuses a shell that is not an absolute executable', () => {
    assert.deepEqual(problemsOf('[healthcheckd]\nshell = bash\ncommand = true\n'), [
      `${file}:2: shell: expected the absolute path of an existing executable file, such as /bin/sh, found "bash"`,
    ]);
    assert.deepEqual(problemsOf('[healthcheckd]\nshell = /bin/zsh\ncommand = true\n'), [
      `${file}:2: shell: expected the absolute path of an existing executable file, such as /bin/sh, found "/bin/zsh"`,
    ]);
  });
});

describe('load: value rules', { timeout: 30_000 }, () => {
  const checkKey = (line: string): readonly string[] =>
    problemsOf(`[check:a]\ncommand = true\n${line}\n`);
  const ok = (line: string) =>
    parseConfigText(`[check:a]\ncommand = true\n${line}\n`, file, {}, env).config.checks[0];

  it('warn_exit_codes: 1-255, 0 refused because exit 0 means pass', () => {
    assert.deepEqual(ok('warn_exit_codes = 2, 255')?.warnExitCodes, [2, 255]);
    assert.deepEqual(checkKey('warn_exit_codes = 0, 1'), [
      `${file}:3: warn_exit_codes: expected exit codes from 1 to 255 (0 always means pass), found "0, 1"`,
    ]);
    assert.deepEqual(checkKey('warn_exit_codes = 256'), [
      `${file}:3: warn_exit_codes: expected a list of exit codes from 1 to 255, such as 1 or 1, 3, found "256"`,
    ]);
  });

  it('group: names, check and metrics reserved', () => {
    assert.deepEqual(ok('group = ready live,ready')?.groups, ['ready', 'live']);
    assert.deepEqual(checkKey('group = ready, metrics'), [
      `${file}:3: group: expected group names other than check and metrics (reserved for /check/<name> and /metrics), found "ready, metrics"`,
    ]);
    assert.deepEqual(checkKey('group = a/b'), [
      `${file}:3: group: expected a list of group names made of A-Z a-z 0-9 _ . -, such as ready, live, found "a/b"`,
    ]);
  });

  it('expect_status: codes and ranges 100-599, from <= to', () => {
    const http = (line: string) => `[check:a]\nhttp = https://x/\n${line}\n`;
    const expected = 'HTTP status codes or ranges from 100 to 599, such as 200-299 or 200, 204';
    assert.deepEqual(
      parseConfigText(http('expect_status = 200,204'), file, {}, env).config.checks[0]
        ?.expectStatus,
      [
        { from: 200, to: 200 },
        { from: 204, to: 204 },
      ],
    );
    for (const bad of ['299-200', '600', '2xx', '99']) {
      assert.deepEqual(problemsOf(http(`expect_status = ${bad}`)), [
        `${file}:3: expect_status: expected ${expected}, found "${bad}"`,
      ]);
    }
  });

  it('critical: every spelling of a boolean', () => {
    for (const [text, value] of [
      ['true', true],
      ['yes', true],
      ['on', true],
      ['1', true],
      ['false', false],
      ['NO', false],
      ['off', false],
      ['0', false],
    ] as const) {
      assert.equal(ok(`critical = ${text}`)?.critical, value, text);
    }
    assert.deepEqual(checkKey('critical = maybe'), [
      `${file}:3: critical: expected true or false (also yes/no, on/off, 1/0), found "maybe"`,
    ]);
  });

  it('durations: interval > 0, cache >= 0, timer range', () => {
    assert.equal(ok('cache_pass = 0')?.cachePassMs, 0);
    assert.equal(ok('interval = 1.5')?.intervalMs, 1500);
    assert.deepEqual(checkKey('interval = 0s'), [
      `${file}:3: interval: expected a duration such as 500ms, 5s or 2m, > 0 and at most 596h, found "0s"`,
    ]);
    assert.deepEqual(checkKey('cache_fail = -1s'), [
      `${file}:3: cache_fail: expected a duration such as 500ms, 5s or 2m, >= 0 and at most 596h, found "-1s"`,
    ]);
    assert.deepEqual(checkKey('timeout = 600h'), [
      `${file}:3: timeout: expected a duration such as 500ms, 5s or 2m, > 0 and at most 596h, found "600h"`,
    ]);
  });

  it('tcp and http targets', () => {
    const tcp = (target: string) => problemsOf(`[check:a]\ntcp = ${target}\n`);
    const expected = 'host:port or [IPv6]:port with a port from 1 to 65535, such as 127.0.0.1:5432';
    for (const bad of ['::1:5432', 'h:0', 'h:65536', '[h]:1', ':80', 'h:']) {
      assert.deepEqual(tcp(bad), [`${file}:2: tcp: expected ${expected}, found "${bad}"`], bad);
    }
    assert.deepEqual(problemsOf('[check:a]\nhttp = /health\n'), [
      `${file}:2: http: expected an absolute http:// or https:// URL, such as http://127.0.0.1:8080/health, found "/health"`,
    ]);
  });

  it('bind: an address or a host name', () => {
    const bind = (value: string) => `[healthcheckd]\nbind = ${value}\ncommand = true\n`;
    assert.equal(parseConfigText(bind('localhost'), file, {}, env).config.daemon.bind, 'localhost');
    assert.deepEqual(problemsOf(bind('[::1]')), [
      `${file}:2: bind: expected an IPv4 or IPv6 address or a host name, found "[::1]"`,
    ]);
  });

  it('an empty value is refused where a value is needed', () => {
    assert.deepEqual(problemsOf('[check:a]\ncommand =\n'), [
      `${file}:2: command: expected a command, found ""`,
    ]);
  });

  it('min_weight 1-100', () => {
    assert.deepEqual(problemsOf('[check:a]\ntcp = h:1\n[agent]\nport = 1\nmin_weight = 0%\n'), [
      `${file}:5: min_weight: expected a percentage from 1% to 100%, found "0%"`,
    ]);
  });
});

describe('loadConfig: files', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'healthcheckd-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file relative to cwd and resolves relative paths against its folder', () => {
    writeFileSync(join(dir, 'h.config'), '[healthcheckd]\npiddir = run\ncommand = true\n');
    const { config } = loadConfig('h.config', {}, dir);
    assert.equal(config.file, join(dir, 'h.config'));
    assert.equal(config.daemon.piddir, join(dir, 'run'));
    assert.equal(config.checks[0]?.origin.file, join(dir, 'h.config'));
  });

  it('says what to do when the file is missing', () => {
    const error = refusal(() => loadConfig('/nonexistent/healthcheckd.config', {}));
    assert.equal(error.code, 'E_CONFIG');
    assert.equal(
      error.message,
      'cannot read config file /nonexistent/healthcheckd.config: no such file (ENOENT); pass the path of your config, or add checks with --command/--tcp/--http',
    );
  });

  it('says so when the path is a directory', () => {
    const error = refusal(() => loadConfig(dir, {}));
    assert.equal(error.code, 'E_CONFIG');
    assert.match(error.message, /: it is a directory \(EISDIR\); pass the path/);
  });

  it('needs no file when flags give a check', () => {
    const { config, corrections } = loadConfig(
      null,
      { tcp: ['127.0.0.1:5432', '127.0.0.1:3306'], port: '9999' },
      dir,
    );
    assert.equal(config.file, null);
    assert.deepEqual(
      config.checks.map((check) => check.name),
      ['tcp-1', 'tcp-2'],
    );
    assert.equal(config.daemon.pidfile, '/tmp/healthcheckd-9999.pid');
    assert.deepEqual(corrections, []);
  });

  it('is a usage error with no file and no check', () => {
    const error = refusal(() => loadConfig(null, {}, dir));
    assert.equal(error.code, 'E_USAGE');
    assert.deepEqual(error.details, [
      'command line: no check configured: add `command = ...` to [healthcheckd] or a [check:NAME] section (healthcheckd never answers OK without a check)',
    ]);
  });
});

describe('load: flap_threshold', { timeout: 30_000 }, () => {
  const checkWith = (line: string): string => `[check:db]\ncommand = true\n${line}\n`;

  it('is off (null) by default and reads a percentage, with or without %', () => {
    const off = parseConfigText(checkWith(''), file, {}, env).config.checks[0];
    assert.equal(off?.flapThresholdPercent, null);
    for (const text of ['flap_threshold = 20', 'flap_threshold = 20%']) {
      const on = parseConfigText(checkWith(text), file, {}, env).config.checks[0];
      assert.equal(on?.flapThresholdPercent, 20, text);
    }
  });

  it('refuses a value that is not a percentage from 1 to 100, with file:line', () => {
    for (const value of ['0', '101', 'often', '-5', '12.5']) {
      assert.deepEqual(problemsOf(checkWith(`flap_threshold = ${value}`)), [
        `${file}:3: flap_threshold: expected a percentage from 1% to 100%, found "${value}"`,
      ]);
    }
  });
});
