import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointsOf } from '../../src/checks/endpoints.js';
import { createCheckSet } from '../../src/checks/check-set.js';
import type { Answer } from '../../src/http/answer.js';
import type { Question } from '../../src/http/handler.js';
import { createResponder, failClosedAnswer } from '../../src/http/responder.js';
import type { Route } from '../../src/http/routes.js';
import type { MaintenanceFlag } from '../../src/types.js';
import type { CheckDefinition, RunResult, Status, StatusCodes } from '../../src/types.js';
import { definition, result } from '../support/checks.js';
import { silentLogger } from '../support/logger.js';
import { deferred } from '../support/wait.js';
import { asEpochMs } from '../../src/util/clock.js';

const codes: StatusCodes = { ok: 200, warn: 299, fail: 503, maintenance: 418 };

/** The checks of these tests: web and db (group `data`) critical, disk not. */
const checks: readonly CheckDefinition[] = [
  definition({ name: 'web' }),
  definition({ name: 'db', groups: ['data'] }),
  definition({ name: 'disk', critical: false }),
];

interface Setup {
  readonly checks?: readonly CheckDefinition[];
  /** Each check's result, by name; pass unless told. */
  readonly statuses?: Record<string, Status>;
  readonly execute?: (check: CheckDefinition) => Promise<RunResult>;
  readonly maintenance?: (names: readonly string[]) => MaintenanceFlag | null;
  readonly exposeOutput?: boolean;
}

/** A responder over real runners whose runs are the test's, and a count of runs by check. */
function responder(setup: Setup = {}) {
  const runs = new Map<string, number>();
  const execute =
    setup.execute ??
    ((check: CheckDefinition): Promise<RunResult> =>
      Promise.resolve(
        result(setup.statuses?.[check.name] ?? 'pass', 1_000, `${check.name} said so`),
      ));
  const set = createCheckSet(setup.checks ?? checks, {
    logger: silentLogger,
    execute: (check) => {
      runs.set(check.name, (runs.get(check.name) ?? 0) + 1);
      return execute(check);
    },
  });
  const respond = createResponder({
    endpoints: endpointsOf(set),
    statusCodes: codes,
    exposeOutput: setup.exposeOutput ?? true,
    maintenance: setup.maintenance ?? (() => null),
    metrics: async () => ({ text: '# metrics\n', contentType: 'text/plain; version=0.0.4' }),
  });
  return { respond, runs };
}

function question(
  route: Route,
  options: { accept?: string; json?: boolean; noCache?: boolean } = {},
): Question {
  return {
    target: { route, formatJson: options.json ?? false },
    noCache: options.noCache ?? false,
    accept: options.accept ?? '',
  };
}

const aggregate: Route = { kind: 'aggregate' };
const checkRoute = (name: string): Route => ({ kind: 'check', name });
const groupRoute = (name: string): Route => ({ kind: 'group', name });

const text = (reply: Answer): [number, string] => [reply.statusCode, reply.body];
const json = (reply: Answer) =>
  JSON.parse(reply.body) as {
    status: string;
    checks: Record<string, { status: string; output?: string }[]>;
    maintenance?: {
      scope: string;
      reason: string;
      since: string;
      until: string | null;
      by: string;
    };
  };

const flag: MaintenanceFlag = {
  scope: { kind: 'all' },
  reason: 'kernel upgrade',
  since: asEpochMs(0),
  until: null,
  by: 'ops',
};

describe('createResponder: routes', { timeout: 30_000 }, () => {
  it('answers the aggregate of every check, in the configured status codes', async () => {
    assert.deepEqual(text(await responder().respond(question(aggregate))), [200, 'OK']);
    const warn = responder({ statuses: { disk: 'fail' } });
    assert.deepEqual(text(await warn.respond(question(aggregate))), [299, 'WARN']);
    const fail = responder({ statuses: { db: 'fail' } });
    assert.deepEqual(text(await fail.respond(question(aggregate))), [503, 'ERROR']);
  });

  it('runs only the checks of a group, and only the one check of /check/<name>', async () => {
    const { respond, runs } = responder({ statuses: { web: 'fail' } });
    assert.deepEqual(text(await respond(question(groupRoute('data')))), [200, 'OK']);
    assert.deepEqual([...runs], [['db', 1]]);
    assert.deepEqual(text(await respond(question(checkRoute('disk')))), [200, 'OK']);
    assert.deepEqual(
      [...runs],
      [
        ['db', 1],
        ['disk', 1],
      ],
    );
  });

  it("answers a check's own state: a failing non-critical check fails its own route", async () => {
    const { respond } = responder({ statuses: { disk: 'fail' } });
    assert.deepEqual(text(await respond(question(checkRoute('disk')))), [503, 'ERROR']);
    assert.deepEqual(text(await respond(question(aggregate))), [299, 'WARN']);
  });

  it('answers 404 naming a check or group that is not configured, and runs nothing', async () => {
    const { respond, runs } = responder();
    const check = await respond(question(checkRoute('nope')));
    assert.deepEqual(text(check), [404, 'Not Found: no check named "nope"']);
    const group = await respond(question(groupRoute('nope')));
    assert.deepEqual(text(group), [404, 'Not Found: no group named "nope"']);
    assert.equal(runs.size, 0);
  });

  it('answers /metrics with the text and content type the metrics give', async () => {
    const reply = await responder().respond(question({ kind: 'metrics' }));
    assert.deepEqual(text(reply), [200, '# metrics\n']);
    assert.equal(reply.headers['content-type'], 'text/plain; version=0.0.4');
  });

  it('fails closed with ERROR in the fail status code', () => {
    assert.deepEqual(text(failClosedAnswer(codes)), [503, 'ERROR']);
  });
});

describe('createResponder: formats', { timeout: 30_000 }, () => {
  it('answers plain text by default, with Cache-Control: no-store', async () => {
    const reply = await responder().respond(question(aggregate, { accept: '*/*' }));
    assert.deepEqual(text(reply), [200, 'OK']);
    assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(reply.headers['cache-control'], 'no-store');
  });

  it('answers health+json to ?format=json and to Accept: application/health+json', async () => {
    const { respond } = responder({ statuses: { disk: 'fail' } });
    for (const reply of [
      await respond(question(aggregate, { json: true })),
      await respond(question(aggregate, { accept: 'application/health+json' })),
    ]) {
      assert.equal(reply.statusCode, 299);
      assert.equal(reply.headers['content-type'], 'application/health+json');
      const document = json(reply);
      assert.equal(document.status, 'warn');
      assert.deepEqual(Object.keys(document.checks), ['web', 'db', 'disk']);
      assert.equal(document.checks.disk?.[0]?.status, 'fail');
      assert.equal(document.checks.disk?.[0]?.output, 'disk said so');
    }
  });

  it('answers the same document as application/json to Accept: application/json', async () => {
    const reply = await responder().respond(question(aggregate, { accept: 'application/json' }));
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.equal(json(reply).status, 'pass');
  });

  it('keeps the output out of the JSON with expose_output = false', async () => {
    const reply = await responder({ exposeOutput: false }).respond(
      question(aggregate, { json: true }),
    );
    assert.equal(json(reply).checks.web?.[0]?.output, undefined);
    assert.doesNotMatch(reply.body, /said so/);
  });

  it('answers a browser the status page, in the status code of the text answer', async () => {
    const reply = await responder({ statuses: { db: 'fail' } }).respond(
      question(groupRoute('data'), { accept: 'text/html,application/xhtml+xml' }),
    );
    assert.equal(reply.statusCode, 503);
    assert.equal(reply.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(reply.body, /^<!doctype html>/i);
    assert.match(reply.body, /group data/);
  });
});

describe('createResponder: maintenance', { timeout: 30_000 }, () => {
  it('answers MAINTENANCE with the reason and runs no check', async () => {
    const { respond, runs } = responder({ maintenance: () => flag });
    const reply = await respond(question(aggregate));
    assert.deepEqual(text(reply), [418, 'MAINTENANCE: kernel upgrade']);
    assert.equal(reply.headers['retry-after'], undefined, 'no end, no Retry-After');
    assert.equal(runs.size, 0);
  });

  it('asks about the check names of the endpoint asked', async () => {
    const asked: string[][] = [];
    const { respond } = responder({ maintenance: (names) => (asked.push([...names]), null) });
    await respond(question(aggregate));
    await respond(question(groupRoute('data')));
    await respond(question(checkRoute('disk')));
    assert.deepEqual(asked, [['web', 'db', 'disk'], ['db'], ['disk']]);
  });

  it('sends Retry-After until the flag ends', async () => {
    const until = asEpochMs(Date.now() + 90_000);
    const reply = await responder({ maintenance: () => ({ ...flag, until }) }).respond(
      question(aggregate),
    );
    const seconds = Number(reply.headers['retry-after']);
    assert.ok(seconds > 0 && seconds <= 90, `Retry-After ${reply.headers['retry-after']}`);
  });

  it('shows the flag and the last results in JSON, status fail, in the maintenance code', async () => {
    const { respond } = responder({ maintenance: (names) => (names.includes('db') ? flag : null) });
    await respond(question(checkRoute('web')));
    const reply = await respond(question(aggregate, { json: true }));
    assert.equal(reply.statusCode, 418);
    const document = json(reply);
    assert.equal(document.status, 'fail');
    assert.deepEqual(document.maintenance, {
      scope: 'all',
      reason: 'kernel upgrade',
      since: new Date(0).toISOString(),
      until: null,
      by: 'ops',
    });
    assert.equal(document.checks.web?.[0]?.status, 'pass', 'the last result of web');
    assert.equal(document.checks.db?.[0]?.status, 'fail', 'db never ran');
    assert.equal(document.checks.db?.[0]?.output, 'pending: no result yet');
  });

  it('shows a browser the maintenance page', async () => {
    const reply = await responder({ maintenance: () => flag }).respond(
      question(aggregate, { accept: 'text/html' }),
    );
    assert.equal(reply.statusCode, 418);
    assert.match(reply.body, /MAINTENANCE/);
    assert.match(reply.body, /kernel upgrade/);
  });
});

describe('createResponder: single flight and caching', { timeout: 30_000 }, () => {
  it('runs a check once for ten questions that arrive while it runs', async () => {
    const pending = deferred<RunResult>();
    const { respond, runs } = responder({
      checks: [definition({ name: 'slow' })],
      execute: () => pending.promise,
    });
    const replies = Array.from({ length: 10 }, () => respond(question(aggregate)));
    assert.ok(
      replies.every((reply) => reply instanceof Promise),
      'they wait for the run',
    );
    pending.resolve(result('pass'));
    assert.deepEqual((await Promise.all(replies)).map(text), Array(10).fill([200, 'OK']));
    assert.deepEqual([...runs], [['slow', 1]]);
  });

  it('answers synchronously from a cached result, and Pragma: no-cache runs again', async () => {
    const { respond, runs } = responder({
      checks: [definition({ name: 'cached', cachePassMs: 60_000 })],
    });
    await respond(question(aggregate));
    const hit = respond(question(aggregate));
    assert.ok(!(hit instanceof Promise), 'a cached answer is synchronous');
    assert.deepEqual(text(hit), [200, 'OK']);
    assert.deepEqual([...runs], [['cached', 1]]);
    await respond(question(aggregate, { noCache: true }));
    assert.deepEqual([...runs], [['cached', 2]]);
  });
});
