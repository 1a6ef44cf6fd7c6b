import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { epochNow } from '../../src/util/clock.js';
import {
  collectStatus,
  formatStatus,
  statusExitCode,
  type StatusReport,
} from '../../src/cli/status-client.js';
import { judgeAnswer } from '../../src/cli/status-document.js';
import type { FetchLimits } from '../../src/cli/status-fetch.js';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedConfig, StatusCodes } from '../../src/types.js';
import {
  answer,
  answerDoc,
  chunkedCut,
  cutShort,
  healthDoc,
  silent,
  startFakeDaemon,
  trickle,
  type Script,
} from '../support/fake-daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'hcd-status-'));
after(() => rmSync(dir, { recursive: true, force: true }), { timeout: 10_000 });

function configFor(port: number, extra = ''): ResolvedConfig {
  const path = join(dir, `c-${port}.config`);
  writeFileSync(
    path,
    `[healthcheckd]\nport = ${port}\nbind = 127.0.0.1\nspool_dir = ${join(dir, 'spool')}\n${extra}command = true\n`,
  );
  return loadConfig(path, {}).config;
}

/** `status` against a fake daemon playing `script`, with a short deadline. */
async function statusAgainst(
  script: Script,
  limits: FetchLimits = { deadlineMs: 1_500 },
  extra = '',
): Promise<{ report: StatusReport; text: string; code: number }> {
  const fake = await startFakeDaemon(script);
  try {
    const report = await collectStatus(configFor(fake.port, extra), epochNow(), limits);
    return { report, text: formatStatus(report), code: statusExitCode(report) };
  } finally {
    await fake.close();
  }
}

const codes: StatusCodes = { ok: 200, warn: 200, fail: 503, maintenance: 503 };
const valid = JSON.stringify(healthDoc('pass'));

describe('collectStatus: only a complete healthcheckd answer counts', { timeout: 30_000 }, () => {
  it(
    'a complete answer: its status decides (0 pass, 1 warn, 2 fail)',
    { timeout: 10_000 },
    async () => {
      for (const [status, code] of [
        ['pass', 0],
        ['warn', 1],
        ['fail', 2],
      ] as const) {
        const result = await statusAgainst(answerDoc(healthDoc(status)));
        assert.equal(result.code, code, result.text);
        assert.match(result.text, new RegExp(`^daemon: ${status.toUpperCase()} `, 'm'));
        assert.match(result.text, /^ {2}db {5}[A-Z]+ +3 ms {2}ok$/m);
      }
    },
  );

  const unusable: Array<[string, Script, RegExp]> = [
    [
      'cut short before Content-Length (R-06)',
      cutShort(2000, '{"status":"pass","checks":{'),
      /cut short: the connection closed after 27 of 2000 body bytes/,
    ],
    ['a chunked body whose last chunk never comes', chunkedCut(valid), /cut short/],
    [
      'an answer that trickles past the deadline',
      trickle(valid, 200),
      /no complete answer within 1\.5 s/,
    ],
    [
      "JSON that is not healthcheckd's",
      answer(200, '{"status":"pass","checks":{}}'),
      /no description "healthcheckd"/,
    ],
    [
      'a page',
      answer(200, '<html></html>', 'text/html'),
      /content-type "text\/html", not health\+json/,
    ],
    ['a redirect', answer(302, valid), /HTTP 302, not one of healthcheckd's \(200, 503\)/],
    ['a server error', answer(500, valid), /HTTP 500/],
    [
      'a body over the cap',
      answer(200, Buffer.alloc(2 * 1024 * 1024, 0x20)),
      /2097152 bytes are more than the 1048576 read/,
    ],
    ['bytes that are not UTF-8', answer(200, Buffer.from([0x7b, 0xff, 0x7d])), /not UTF-8 JSON/],
    [
      'a check that is not a list',
      answer(200, JSON.stringify(healthDoc('pass', { db: 7 }))),
      /check "db" is not a list/,
    ],
    [
      'a check entry with an odd status',
      answer(200, JSON.stringify(healthDoc('pass', { db: [{ status: 'fine' }] }))),
      /check "db" has no status/,
    ],
    [
      "a status that is not healthcheckd's",
      answer(200, JSON.stringify({ ...healthDoc('pass'), status: 'up' })),
      /status is not pass, warn or fail/,
    ],
    ['an array', answer(200, '[]'), /not a JSON object/],
  ];
  for (const [name, script, reason] of unusable) {
    it(`exit 3, never 0: ${name}`, { timeout: 10_000 }, async () => {
      const result = await statusAgainst(script);
      assert.equal(result.code, 3, result.text);
      assert.equal(result.report.answered, true);
      assert.match(
        result.text,
        /^daemon: unusable answer from http:\/\/127\.0\.0\.1:\d+\/\?format=json \(/m,
      );
      assert.match(result.text, reason);
    });
  }

  it('exit 3 when nothing answers within the deadline', { timeout: 10_000 }, async () => {
    const started = Date.now();
    const result = await statusAgainst(silent, { deadlineMs: 500 });
    assert.equal(result.code, 3);
    assert.equal(result.report.answered, false);
    assert.match(result.text, /^daemon: no answer from .* \(no complete answer within 0\.5 s\)$/m);
    assert.ok(Date.now() - started < 8_000, 'the deadline holds');
  });

  it(
    'a body cap of its own: an endless chunked stream stops at the cap',
    { timeout: 10_000 },
    async () => {
      const endless: Script = (socket) => {
        socket.write(
          'HTTP/1.1 200 OK\r\ncontent-type: application/health+json\r\ntransfer-encoding: chunked\r\n\r\n',
        );
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = (): void => {
          while (
            !socket.destroyed &&
            socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`)
          );
          if (!socket.destroyed) socket.once('drain', pump);
        };
        pump();
      };
      const result = await statusAgainst(endless, {
        deadlineMs: 5_000,
        maxBodyBytes: 256 * 1024,
      });
      assert.equal(result.code, 3);
      assert.match(result.text, /longer than the 262144 bytes read/);
    },
  );

  it("status codes the config names count as healthcheckd's", { timeout: 10_000 }, async () => {
    const result = await statusAgainst(
      answer(504, JSON.stringify(healthDoc('fail'))),
      { deadlineMs: 1_500 },
      'status_fail = 504\n',
    );
    assert.equal(result.code, 2, result.text);
  });
});

describe('formatStatus: a hostile document cannot crash or garble it', { timeout: 30_000 }, () => {
  const judge = (doc: unknown): StatusReport => {
    const judged = judgeAnswer(
      {
        statusCode: 200,
        contentType: 'application/health+json',
        body: Buffer.from(JSON.stringify(doc)),
      },
      codes,
    );
    assert.ok(judged.ok, judged.ok ? '' : judged.reason);
    return {
      flags: [],
      unlisted: null,
      url: 'http://x/',
      document: judged.document,
      error: null,
      answered: true,
    };
  };

  it(
    'checks named __proto__, constructor and toString appear under their names',
    { timeout: 10_000 },
    () => {
      const body = `{"status":"warn","description":"healthcheckd","checks":{"__proto__":[{"status":"fail","durationMs":1,"output":"p"}],"constructor":[{"status":"warn","durationMs":null}],"toString":[{"status":"pass"}],"hasOwnProperty":[]}}`;
      const judged = judgeAnswer(
        {
          statusCode: 200,
          contentType: 'application/json; charset=utf-8',
          body: Buffer.from(body),
        },
        codes,
      );
      assert.ok(judged.ok);
      const report: StatusReport = {
        flags: [],
        unlisted: null,
        url: 'u',
        document: judged.document,
        error: null,
        answered: true,
      };
      const text = formatStatus(report);
      assert.match(text, /^ {2}__proto__ +FAIL +1 ms {2}p$/m);
      assert.match(text, /^ {2}constructor +WARN +-$/m);
      assert.match(text, /^ {2}toString +PASS +-$/m);
      assert.equal(statusExitCode(report), 1);
      assert.equal(Object.getPrototypeOf({}), Object.prototype, 'no prototype was touched');
    },
  );

  it(
    'escapes and bidi controls in names, outputs and reasons are shown, never sent raw',
    { timeout: 10_000 },
    () => {
      const text = formatStatus(
        judge({
          ...healthDoc('fail'),
          maintenance: { reason: 'x\u001b[2Jy' },
          checks: {
            'a\u001b]0;owned\u0007': [
              { status: 'fail', durationMs: 1, output: 'evil\u202eok\rhidden' },
            ],
          },
        }),
      );
      // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
      assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
      assert.match(text, /MAINTENANCE: x\\x1b\[2Jy/);
      assert.match(text, /a\\x1b\]0;owned\\x07/);
      assert.match(
        text,
        /evil\\u202eok$/m,
        'a lone CR ends the first line: what follows is not shown',
      );
    },
  );

  it(
    'huge names, outputs and numbers, and many checks: bounded lines, no throw',
    { timeout: 20_000 },
    () => {
      const checks: Record<string, unknown> = {
        ['n'.repeat(300_000)]: [{ status: 'pass', durationMs: 1e308, output: 'o'.repeat(300_000) }],
      };
      for (let i = 0; i < 150_000; i++) checks[`c${i}`] = [];
      const text = formatStatus(judge(healthDoc('pass', checks)));
      const lines = text.split('\n');
      assert.ok(
        lines.every((line) => line.length < 1_000),
        'every line is bounded',
      );
      assert.match(text, /^ {2}n{200}… {2}PASS +1e\+308 ms {2}o{200}…$/m);
    },
  );

  it('a check with no entry is left out, the others listed', { timeout: 10_000 }, () => {
    const text = formatStatus(judge(healthDoc('pass', { quiet: [], db: [{ status: 'pass' }] })));
    assert.match(text, /^ {2}db +PASS +-$/m);
  });
});
