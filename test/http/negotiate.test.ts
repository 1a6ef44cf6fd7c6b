import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { negotiate, type BodyFormat } from '../../src/http/negotiate.js';
import { httpRequest, startDaemon, tempDir, writeConfig } from '../support/daemon.js';

const browser =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('negotiate: RFC 9110 quality values', { timeout: 30_000 }, () => {
  const cases: readonly (readonly [string, BodyFormat])[] = [
    ['', 'text'],
    ['*/*', 'text'],
    ['text/plain', 'text'],
    ['application/json', 'json'],
    ['Application/JSON', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['application/json;charset=UTF-8', 'json'],
    ['application/health+json', 'health+json'],
    ['text/html', 'html'],
    [browser, 'html'],
    ['application/json;q=0.5, text/html', 'html'],
    ['text/html;q=0.1, application/json;q=0.9', 'json'],
    ['text/*', 'text'],
    ['text/*;q=0.5, text/html', 'html'],
    ['application/*', 'health+json'],
    ['application/json, application/health+json;q=0.9', 'json'],
  ];
  for (const [accept, format] of cases) {
    it(`Accept: ${JSON.stringify(accept)} gives ${format}`, { timeout: 5_000 }, () => {
      assert.equal(negotiate(accept, false), format);
    });
  }
});

describe('negotiate: q=0 excludes a type', { timeout: 30_000 }, () => {
  const cases: readonly (readonly [string, BodyFormat])[] = [
    ['text/html;q=0, */*', 'text'],
    ['text/plain;q=0, application/json', 'json'],
    ['text/plain;q=0, */*;q=0.5', 'health+json'],
    ['application/json;q=0, text/html;q=0.2, */*;q=0.1', 'html'],
    ['application/json;q=0.0, application/*', 'health+json'],
    ['text/html;q=0, application/xml;q=0.9, */*;q=0.8', 'text'],
  ];
  for (const [accept, format] of cases) {
    it(`Accept: ${JSON.stringify(accept)} gives ${format}`, { timeout: 5_000 }, () => {
      assert.equal(negotiate(accept, false), format);
    });
  }
});

describe('negotiate: fallbacks', { timeout: 30_000 }, () => {
  it(
    'gives plain text when nothing offered is acceptable (RFC 9110 lets it disregard Accept)',
    {
      timeout: 5_000,
    },
    () => {
      for (const accept of [
        'image/png',
        'text/plain;q=0',
        '*/*;q=0',
        'nonsense',
        ';;,,',
        'a/b;q=x',
      ])
        assert.equal(negotiate(accept, false), 'text', accept);
    },
  );

  it('gives health+json for ?format=json whatever the Accept', { timeout: 5_000 }, () => {
    for (const accept of ['', 'text/html', 'application/json', 'application/health+json;q=0'])
      assert.equal(negotiate(accept, true), 'health+json', accept);
  });
});

describe('negotiate: remembered verdicts', { timeout: 30_000 }, () => {
  it(
    'gives the same verdicts however often and in whatever order headers come',
    { timeout: 5_000 },
    () => {
      const headers = Array.from({ length: 300 }, (_, i) =>
        i % 3 === 0 ? `text/html;q=0.${(i % 9) + 1}, application/json;q=0.5` : `x/y${i}, text/html`,
      );
      const first = headers.map((accept) => negotiate(accept, false));
      for (let round = 0; round < 3; round++)
        assert.deepEqual(
          headers.map((accept) => negotiate(accept, false)),
          first,
        );
      assert.equal(negotiate('text/html;q=0.1, application/json;q=0.5', false), 'json');
      assert.equal(negotiate('x/y1, text/html', false), 'html');
    },
  );
});

describe(
  'negotiate: the same status code in every variant (real daemon)',
  { timeout: 30_000 },
  () => {
    const dir = tempDir('hcd-negotiate-');
    let port = 0;
    let stop: (() => Promise<unknown>) | undefined;
    before(async () => {
      const config = writeConfig(
        dir.path,
        `[healthcheckd]\nport = 0\nbind = 127.0.0.1\npiddir = ${dir.path}\n` +
          `spool_dir = ${dir.path}/spool\n[check:ok]\ncommand = true\n[check:bad]\ncommand = false\n`,
      );
      const daemon = await startDaemon([config], { cwd: dir.path });
      port = daemon.port;
      stop = daemon.stop;
    });
    after(async () => {
      await stop?.();
      dir.cleanup();
    });

    const variants: readonly (readonly [string, RegExp])[] = [
      ['', /^text\/plain/],
      [browser, /^text\/html/],
      ['application/json', /^application\/json/],
      ['application/health+json', /^application\/health\+json/],
      ['text/html;q=0, application/json;q=0.5', /^application\/json/],
      ['image/png', /^text\/plain/],
    ];
    for (const [path, status] of [
      ['/check/ok', 200],
      ['/check/bad', 503],
    ] as const) {
      it(
        `answers ${path} ${status} in every format, GET and HEAD`,
        { timeout: 30_000 },
        async () => {
          for (const [accept, type] of variants) {
            for (const method of ['GET', 'HEAD']) {
              const headers = accept === '' ? {} : { accept };
              const reply = await httpRequest(port, { method, path, headers, timeoutMs: 10_000 });
              assert.equal(reply.status, status, `${method} ${path} Accept: ${accept}`);
              assert.match(String(reply.headers['content-type']), type, `Accept: ${accept}`);
            }
          }
        },
      );
    }
  },
);
