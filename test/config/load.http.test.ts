import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { formatConfig } from '../../src/config/format.js';
import { parseConfigText } from '../../src/config/load.js';
import { HealthcheckdError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'hc-http-config-'));
const file = join(dir, 'healthcheckd.config');
const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
writeFileSync(join(dir, 'ca.pem'), pem);
writeFileSync(join(dir, 'not-a-cert.pem'), 'hello\n');
const env = { cwd: dir, isExecutable: (path: string) => path === '/bin/sh' };

function text(...lines: string[]): string {
  return ['[healthcheckd]', 'shell = /bin/sh', '[check:api]', ...lines, ''].join('\n');
}

function problems(config: string): readonly string[] {
  try {
    parseConfigText(config, file, {}, env);
  } catch (error) {
    assert.ok(error instanceof HealthcheckdError, String(error));
    return error.details;
  }
  return assert.fail('expected the config to be refused');
}

describe('config: http check options', { timeout: 30_000 }, () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads method, repeated header lines in order, expect_body, tls_verify and ca', () => {
    const loaded = parseConfigText(
      text(
        'http = https://127.0.0.1:8443/health',
        'method = HEAD',
        'header = Host: api.example',
        'header = Authorization: Bearer a=b;c',
        'tls_verify = true',
        'ca = ca.pem',
      ),
      file,
      {},
      env,
    );
    const check = loaded.config.checks[0];
    assert.deepEqual(check?.http, {
      method: 'HEAD',
      headers: [
        ['Host', 'api.example'],
        ['Authorization', 'Bearer a=b;c'],
      ],
      expectBody: null,
      tlsVerify: true,
      ca: { file: join(dir, 'ca.pem'), pem },
    });
    assert.deepEqual(loaded.corrections, [], 'repeated header lines are no ini misreading');
    const printed = formatConfig(loaded.config);
    assert.match(printed, /^header = Host: api\.example\nheader = Authorization: /m);
    const again = parseConfigText(printed, file, {}, env);
    assert.deepEqual(again.config.checks[0]?.http, check?.http, 'validate output reads back');
  });

  it('defaults to a plain GET without certificate verification', () => {
    const loaded = parseConfigText(text('http = http://127.0.0.1/'), file, {}, env);
    assert.deepEqual(loaded.config.checks[0]?.http, {
      method: 'GET',
      headers: [],
      expectBody: null,
      tlsVerify: false,
      ca: null,
    });
  });

  it('refuses bad values, each at its own line', () => {
    assert.deepEqual(
      problems(
        text(
          'http = http://127.0.0.1/',
          'method = POST',
          'header = X-Ok: 1',
          'header = no colon here',
          'expect_body = (unclosed',
        ),
      ),
      [
        `${file}:5: method: expected GET or HEAD, found "POST"`,
        `${file}:7: header: expected a header as Name: value, such as Authorization: Bearer abc, found "no colon here"`,
        `${file}:8: expect_body: expected a regular expression (Invalid regular expression: /(unclosed/: Unterminated group), found "(unclosed"`,
      ],
    );
  });

  it('refuses an unreadable ca file, a file without a certificate, and ca without tls_verify', () => {
    const unreadable = join(dir, 'unreadable.pem');
    writeFileSync(unreadable, pem);
    chmodSync(unreadable, 0);
    const got = problems(
      [
        '[check:a]',
        'http = https://127.0.0.1/',
        'tls_verify = true',
        'ca = missing.pem',
        '[check:b]',
        'http = https://127.0.0.1/',
        'tls_verify = true',
        'ca = not-a-cert.pem',
        '[check:c]',
        'http = https://127.0.0.1/',
        'ca = ca.pem',
      ].join('\n'),
    );
    assert.equal(got.length, 3, got.join('\n'));
    assert.match(got[0] ?? '', /:4: ca: cannot read .*missing\.pem \(ENOENT\)/);
    assert.match(got[1] ?? '', /:8: ca: .*not-a-cert\.pem holds no PEM certificate/);
    assert.match(got[2] ?? '', /:11: ca: .*add tls_verify = true/);
  });

  it('refuses expect_body with HEAD, http keys on other kinds, and other repeated keys', () => {
    const got = problems(
      [
        '[check:a]',
        'http = http://127.0.0.1/',
        'method = HEAD',
        'expect_body = ok',
        'timeout = 1s',
        'timeout = 2s',
        '[check:b]',
        'tcp = 127.0.0.1:5432',
        'header = X: y',
      ].join('\n'),
    );
    assert.equal(got.length, 3, got.join('\n'));
    assert.match(got[0] ?? '', /:4: expect_body: a HEAD answer has no body/);
    assert.match(got[1] ?? '', /:6: duplicate key "timeout" in \[check:a\]/);
    assert.match(got[2] ?? '', /:9: header: only http checks use it/);
  });
});
