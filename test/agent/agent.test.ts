import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createAgent, type AgentDeps } from '../../src/agent/agent.js';
import type { CpuSampler } from '../../src/agent/cpu.js';
import type { AgentSettings, EndpointReport, RunResult } from '../../src/types.js';
import { check, run } from '../support/checks.js';
import { memoryLogger, silentLogger } from '../support/logger.js';

const settings: AgentSettings = {
  port: 9777,
  weight: { kind: 'none' },
  minWeight: 1,
  maintenance: 'drain',
};
const passing: EndpointReport = { status: 'pass', checks: [check('web', 'pass')] };

function fixedCpu(idle: number | null): CpuSampler {
  return { idlePercent: () => idle, sample: () => undefined, stop: () => undefined };
}

function agent(overrides: Partial<AgentDeps> = {}): ReturnType<typeof createAgent> {
  return createAgent({
    settings,
    report: () => passing,
    maintenance: () => null,
    exposeOutput: true,
    logger: silentLogger,
    ...overrides,
  });
}

describe('createAgent', { timeout: 30_000 }, () => {
  it('says up ready without weight when weight = none', async () => {
    assert.equal(await agent().line(), 'up ready\n');
  });

  it('says up on warn, down with the reason on fail', async () => {
    const warn: EndpointReport = {
      status: 'warn',
      checks: [check('soft', 'fail', { critical: false })],
    };
    assert.equal(await agent({ report: () => warn }).line(), 'up ready\n');
    const last = run({ status: 'fail', exitCode: 1, output: 'replica lag 45 s\n' });
    const fail: EndpointReport = { status: 'fail', checks: [check('db', 'fail', { last })] };
    assert.equal(await agent({ report: async () => fail }).line(), 'down #db: replica lag 45 s\n');
  });

  it('answers maintenance without evaluating the checks', async () => {
    let evaluated = 0;
    const deps = {
      maintenance: () => ({ reason: 'upgrade' }),
      report: () => (evaluated++, passing),
    };
    assert.equal(await agent(deps).line(), 'drain\n');
    const maint = agent({ ...deps, settings: { ...settings, maintenance: 'maint' } });
    assert.equal(await maint.line(), 'maint\n');
    assert.equal(evaluated, 0);
  });

  it('weighs by idle CPU, never below min_weight, and leaves the weight out until measured', async () => {
    const cpuSettings: AgentSettings = { ...settings, weight: { kind: 'cpu' }, minWeight: 10 };
    assert.equal(
      await agent({ settings: cpuSettings, cpu: fixedCpu(72.6) }).line(),
      'up ready 73%\n',
    );
    assert.equal(await agent({ settings: cpuSettings, cpu: fixedCpu(2) }).line(), 'up ready 10%\n');
    assert.equal(await agent({ settings: cpuSettings, cpu: fixedCpu(null) }).line(), 'up ready\n');
  });

  it('does not send a weight with down', async () => {
    const fail: EndpointReport = { status: 'fail', checks: [check('db', 'fail')] };
    const cpuSettings: AgentSettings = { ...settings, weight: { kind: 'cpu' } };
    const line = await agent({
      settings: cpuSettings,
      cpu: fixedCpu(50),
      report: () => fail,
    }).line();
    assert.equal(line, 'down #db: failed (exit 2)\n');
  });

  it('runs the weight command once for concurrent connections', async () => {
    let runs = 0;
    const runWeightCommand = async (): Promise<RunResult> => {
      runs += 1;
      await sleep(30);
      return run({ output: '64%\n' });
    };
    const commandSettings: AgentSettings = {
      ...settings,
      weight: { kind: 'command', command: 'x' },
    };
    const subject = agent({ settings: commandSettings, runWeightCommand });
    const lines = await Promise.all(Array.from({ length: 5 }, () => subject.line()));
    assert.deepEqual(lines, Array(5).fill('up ready 64%\n'));
    assert.equal(runs, 1);
    await subject.line();
    assert.equal(runs, 2, 'a later connection runs it again');
  });

  it('sends min_weight when the weight command breaks, and logs that once', async () => {
    const { logger, lines } = memoryLogger();
    const commandSettings: AgentSettings = {
      ...settings,
      weight: { kind: 'command', command: 'x' },
      minWeight: 5,
    };
    let output = 'oops';
    const subject = agent({
      settings: commandSettings,
      logger,
      runWeightCommand: async () => run({ output }),
    });
    assert.equal(await subject.line(), 'up ready 5%\n');
    assert.equal(await subject.line(), 'up ready 5%\n');
    output = '80';
    assert.equal(await subject.line(), 'up ready 80%\n');
    const messages = lines().map((line) => `${String(line.level)} ${String(line.msg)}`);
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.match(messages[0] ?? '', /^40 agent: weight command printed "oops".*min_weight 5%/);
    assert.match(messages[1] ?? '', /^30 agent: weight command works again \(80%\)/);
  });

  it('refuses weight = command without a way to run it', () => {
    const commandSettings: AgentSettings = {
      ...settings,
      weight: { kind: 'command', command: 'x' },
    };
    assert.throws(() => agent({ settings: commandSettings }), /needs runWeightCommand/);
  });
});
