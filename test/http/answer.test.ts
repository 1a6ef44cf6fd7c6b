import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  answer,
  maintenanceAnswer,
  methodNotAllowed,
  notFound,
  statusCodeFor,
  textAnswer,
} from '../../src/http/answer.js';
import type { StatusCodes } from '../../src/types.js';

const defaults: StatusCodes = { ok: 200, warn: 200, fail: 503, maintenance: 503 };
const custom: StatusCodes = { ok: 204, warn: 429, fail: 504, maintenance: 404 };

describe('answer', { timeout: 30_000 }, () => {
  it('carries content type, byte length and Cache-Control: no-store', () => {
    assert.deepEqual(answer(200, 'café'), {
      statusCode: 200,
      body: 'café',
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': 5,
        'cache-control': 'no-store',
      },
    });
  });

  it('takes another content type', () => {
    assert.equal(answer(200, '{}', 'application/json').headers['content-type'], 'application/json');
  });
});

describe('textAnswer', { timeout: 30_000 }, () => {
  it('answers OK, WARN and ERROR with the default status codes', () => {
    const seen = (['pass', 'warn', 'fail'] as const).map((status) => {
      const reply = textAnswer(status, defaults);
      return [reply.statusCode, reply.body, reply.headers['cache-control']];
    });
    assert.deepEqual(seen, [
      [200, 'OK', 'no-store'],
      [200, 'WARN', 'no-store'],
      [503, 'ERROR', 'no-store'],
    ]);
  });

  it('uses the configured status codes', () => {
    assert.equal(textAnswer('pass', custom).statusCode, 204);
    assert.equal(textAnswer('warn', custom).statusCode, 429);
    assert.equal(textAnswer('fail', custom).statusCode, 504);
  });
});

describe('statusCodeFor', { timeout: 30_000 }, () => {
  it('maps pass, warn and fail to status_ok, status_warn and status_fail', () => {
    assert.deepEqual(
      (['pass', 'warn', 'fail'] as const).map((status) => statusCodeFor(status, custom)),
      [204, 429, 504],
    );
  });
});

describe('maintenanceAnswer', { timeout: 30_000 }, () => {
  const now = 1_700_000_000_000;

  it('answers MAINTENANCE: <reason> with status_maintenance and no Retry-After when open-ended', () => {
    const reply = maintenanceAnswer({ reason: 'kernel upgrade', until: null }, custom, now);
    assert.equal(reply.statusCode, 404);
    assert.equal(reply.body, 'MAINTENANCE: kernel upgrade');
    assert.equal(reply.headers['retry-after'], undefined);
    assert.equal(reply.headers['cache-control'], 'no-store');
    assert.equal(reply.headers['content-length'], Buffer.byteLength(reply.body));
  });

  it('adds Retry-After in whole seconds, rounded up, when it has an end', () => {
    const reply = maintenanceAnswer({ reason: 'r', until: now + 90_500 }, defaults, now);
    assert.equal(reply.statusCode, 503);
    assert.equal(reply.headers['retry-after'], '91');
  });

  it('never says Retry-After 0, even at or past the end', () => {
    assert.equal(
      maintenanceAnswer({ reason: 'r', until: now }, defaults, now).headers['retry-after'],
      '1',
    );
    assert.equal(
      maintenanceAnswer({ reason: 'r', until: now - 5_000 }, defaults, now).headers['retry-after'],
      '1',
    );
  });
});

describe('methodNotAllowed and notFound', { timeout: 30_000 }, () => {
  it('answers 405 with Allow: GET, HEAD and no-store', () => {
    assert.equal(methodNotAllowed.statusCode, 405);
    assert.equal(methodNotAllowed.headers.allow, 'GET, HEAD');
    assert.equal(methodNotAllowed.headers['cache-control'], 'no-store');
    assert.equal(
      methodNotAllowed.headers['content-length'],
      Buffer.byteLength(methodNotAllowed.body),
    );
  });

  it('answers 404 naming what was not found', () => {
    const reply = notFound('check nope');
    assert.equal(reply.statusCode, 404);
    assert.equal(reply.body, 'Not Found: check nope');
    assert.equal(reply.headers['cache-control'], 'no-store');
  });
});
