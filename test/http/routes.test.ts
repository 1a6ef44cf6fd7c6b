import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveTarget } from '../../src/http/routes.js';

const groups = new Set(['ready', 'live', 'my group']);
const isGroup = (name: string): boolean => groups.has(name);
const route = (url: string): unknown => resolveTarget(url, isGroup).route;

describe('resolveTarget: routes', { timeout: 30_000 }, () => {
  it('answers the aggregate for / and for any path that is not a known endpoint', () => {
    for (const url of ['/', '', '/anything', '/health', '/a/b/c', '/check', '/readyz', '/ready/']) {
      assert.deepEqual(route(url), { kind: 'aggregate' }, url);
    }
  });

  it('answers one check for /check/<name>', () => {
    assert.deepEqual(route('/check/db'), { kind: 'check', name: 'db' });
    assert.deepEqual(route('/check/mysql-replica.1'), { kind: 'check', name: 'mysql-replica.1' });
  });

  it('decodes a percent-encoded check name', () => {
    assert.deepEqual(route('/check/a%20b'), { kind: 'check', name: 'a b' });
  });

  it('keeps a malformed percent escape as it is', () => {
    assert.deepEqual(route('/check/100%'), { kind: 'check', name: '100%' });
  });

  it('asks for the check even when its name is unknown (the responder answers 404)', () => {
    assert.deepEqual(route('/check/nope'), { kind: 'check', name: 'nope' });
  });

  it('answers metrics for /metrics', () => {
    assert.deepEqual(route('/metrics'), { kind: 'metrics' });
    assert.deepEqual(route('/metrics?x=1'), { kind: 'metrics' });
  });

  it('answers a known group at /<group>, decoded', () => {
    assert.deepEqual(route('/ready'), { kind: 'group', name: 'ready' });
    assert.deepEqual(route('/live?format=json'), { kind: 'group', name: 'live' });
    assert.deepEqual(route('/my%20group'), { kind: 'group', name: 'my group' });
  });

  it('answers the aggregate for an unknown group', () => {
    assert.deepEqual(route('/started'), { kind: 'aggregate' });
  });

  it('asks isGroup with the decoded name, not with the query', () => {
    const asked: string[] = [];
    resolveTarget('/ready?format=json', (name) => (asked.push(name), false));
    assert.deepEqual(asked, ['ready']);
  });
});

describe('resolveTarget: ?format=json', { timeout: 30_000 }, () => {
  const formatJson = (url: string): boolean => resolveTarget(url, isGroup).formatJson;

  it('is set by format=json anywhere in the query', () => {
    assert.equal(formatJson('/?format=json'), true);
    assert.equal(formatJson('/check/db?format=json'), true);
    assert.equal(formatJson('/?a=1&format=json'), true);
    assert.equal(formatJson('/?format=json&a=1'), true);
  });

  it('is not set by anything else', () => {
    assert.equal(formatJson('/'), false);
    assert.equal(formatJson('/format=json'), false);
    assert.equal(formatJson('/?format=jsonx'), false);
    assert.equal(formatJson('/?xformat=json'), false);
    assert.equal(formatJson('/?format=text'), false);
  });

  it('does not change the route', () => {
    assert.deepEqual(resolveTarget('/check/db?format=json', isGroup), {
      route: { kind: 'check', name: 'db' },
      formatJson: true,
    });
  });
});
