import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  agentLine,
  maxReasonLength,
  sanitizeReason,
  type AgentInput,
} from '../../src/agent/agent-line.js';

const base: AgentInput = {
  status: 'pass',
  maintenance: null,
  maintenanceMode: 'drain',
  weight: 73,
  reason: '',
};

describe('agentLine', { timeout: 30_000 }, () => {
  it('says up, ready and the weight on pass', () => {
    assert.equal(agentLine(base), 'up ready 73%\n');
  });

  it('counts warn as up', () => {
    assert.equal(agentLine({ ...base, status: 'warn', weight: 40 }), 'up ready 40%\n');
  });

  it('leaves the weight out when there is none', () => {
    assert.equal(agentLine({ ...base, weight: null }), 'up ready\n');
    assert.equal(agentLine({ ...base, status: 'warn', weight: null }), 'up ready\n');
  });

  it('says down with the reason on fail', () => {
    const line = agentLine({ ...base, status: 'fail', reason: 'mysql-replica: lag 45 s' });
    assert.equal(line, 'down #mysql-replica: lag 45 s\n');
  });

  it('says drain or maint under maintenance, whatever the checks say', () => {
    const maintenance = { reason: 'kernel upgrade' };
    for (const status of ['pass', 'warn', 'fail'] as const) {
      assert.equal(agentLine({ ...base, status, maintenance }), 'drain\n');
      assert.equal(
        agentLine({ ...base, status, maintenance, maintenanceMode: 'maint' }),
        'maint\n',
      );
    }
  });

  it('always sends exactly one line', () => {
    const inputs: AgentInput[] = [
      base,
      { ...base, status: 'fail', reason: 'a\r\nb\nc\rd\u0000e' },
      { ...base, maintenance: { reason: 'x\ny' } },
    ];
    for (const input of inputs) {
      const line = agentLine(input);
      assert.match(line, /^[^\r\n]+\n$/);
      assert.ok(!line.includes('\u0000'), JSON.stringify(line));
    }
  });
});

describe('sanitizeReason', { timeout: 30_000 }, () => {
  it('turns line breaks and control characters into single spaces', () => {
    assert.equal(sanitizeReason('db: a\r\nb\tc\u0000d  \n\n e'), 'db: a b c d e');
  });

  it('keeps a short reason as it is, # and commas included', () => {
    assert.equal(sanitizeReason('api: HTTP 503, #2 retry'), 'api: HTTP 503, #2 retry');
  });

  it('cuts a long reason to the limit', () => {
    const reason = sanitizeReason(`x: ${'é'.repeat(500)}`);
    assert.equal(Array.from(reason).length, maxReasonLength);
    assert.ok(reason.endsWith('...'));
  });

  it('says failed when nothing is left', () => {
    assert.equal(sanitizeReason(' \r\n '), 'failed');
  });
});
