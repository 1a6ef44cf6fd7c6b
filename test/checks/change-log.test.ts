import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { changesLoggedPerMinute, createChangeLog } from '../../src/checks/change-log.js';
import { createRunner } from '../../src/checks/runner.js';
import type { CheckStatus } from '../../src/checks/state.js';
import { asMonotonicMs } from '../../src/util/clock.js';
import type { RunResult, Status } from '../../src/types.js';
import { definition, memoryLogger, result } from '../support/checks.js';

/** A monotonic clock the test moves, in step with the mocked timers. */
function clock() {
  let at = 0;
  return {
    now: () => asMonotonicMs(at),
    advance(ms: number) {
      at += ms;
      mock.timers.tick(ms);
    },
  };
}

const flip = (n: number): CheckStatus => (n % 2 === 0 ? 'fail' : 'pass');

describe('change log', { timeout: 30_000 }, () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('logs the first changes of a minute one by one, then one summary for the minute', () => {
    const { logger, lines } = memoryLogger('info');
    const time = clock();
    const log = createChangeLog('db', logger, time.now);
    let logged = 0;
    for (let n = 0; n < 37; n += 1) {
      log.changed(flip(n), () => (logged += 1));
      time.advance(1_000);
    }
    assert.equal(logged, changesLoggedPerMinute);
    assert.deepEqual(lines(), [], 'no summary before its minute is up');
    time.advance(60_000);
    const summaries = lines();
    assert.equal(summaries.length, 1);
    assert.equal(summaries[0]?.msg, 'check db changed state 32 times in the last minute; now fail');
    assert.equal(summaries[0]?.level, 40);
    assert.equal(summaries[0]?.changes, 32);
    assert.equal(summaries[0]?.to, 'fail');
  });

  it('keeps summarising once a minute while the check keeps flapping', () => {
    const { logger, lines } = memoryLogger('info');
    const time = clock();
    const log = createChangeLog('db', logger, time.now);
    let logged = 0;
    // Ten minutes, a change every two seconds.
    for (let n = 0; n < 300; n += 1) {
      log.changed(flip(n), () => (logged += 1));
      time.advance(2_000);
    }
    assert.equal(logged, changesLoggedPerMinute, 'only the first changes one by one');
    const summaries = lines();
    assert.ok(summaries.length >= 9 && summaries.length <= 10, `${summaries.length} summaries`);
    const counted = summaries.reduce((sum, entry) => sum + Number(entry.changes), 0);
    assert.ok(counted <= 300 - changesLoggedPerMinute);
  });

  it('logs one by one again after a quiet minute', () => {
    const { logger, lines } = memoryLogger('info');
    const time = clock();
    const log = createChangeLog('db', logger, time.now);
    let logged = 0;
    for (let n = 0; n < 10; n += 1) log.changed(flip(n), () => (logged += 1));
    time.advance(61_000);
    assert.equal(lines().length, 1, 'the summary of the flapping minute');
    assert.equal(lines()[0]?.msg, 'check db changed state 5 times in the last minute; now pass');
    assert.equal(lines()[0]?.level, 30);
    time.advance(60_000);
    log.changed('fail', () => (logged += 1));
    assert.equal(logged, changesLoggedPerMinute + 1);
  });

  it('writes the summary under way when it is closed (the runner stops), and only once', () => {
    const { logger, lines } = memoryLogger('info');
    const time = clock();
    const log = createChangeLog('db', logger, time.now);
    for (let n = 0; n < 8; n += 1) log.changed(flip(n), () => undefined);
    log.close();
    assert.equal(lines().length, 1);
    assert.equal(lines()[0]?.changes, 3);
    time.advance(120_000);
    assert.equal(lines().length, 1);
  });
});

describe('runner: a flapping check', { timeout: 30_000 }, () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('logs its first changes with their output, then summarises', async () => {
    const { logger, lines } = memoryLogger('info');
    let calls = 0;
    const execute = (): Promise<RunResult> => {
      calls += 1;
      const status: Status = calls % 2 === 0 ? 'fail' : 'pass';
      return Promise.resolve(result(status, calls, `output ${calls}`));
    };
    const runner = createRunner(definition({ name: 'web' }), { execute, logger });
    for (let n = 0; n < 40; n += 1) await runner.read({ bypassCache: true });
    const changes = lines().filter((entry) => /is now/.test(String(entry.msg)));
    assert.equal(changes.length, changesLoggedPerMinute);
    assert.equal(changes[0]?.output, 'output 1');
    runner.stop();
    const summary = lines().at(-1);
    assert.equal(summary?.msg, 'check web changed state 35 times in the last minute; now fail');
  });
});

describe('change log with flap_threshold', { timeout: 30_000 }, () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  /** A runner of check `web` whose runs alternate pass and fail, `flips` times, then pass. */
  async function flapThenCalm(flips: number, calm: number) {
    const { logger, lines } = memoryLogger('info');
    let calls = 0;
    const execute = (): Promise<RunResult> => {
      calls += 1;
      const status: Status = calls <= flips && calls % 2 === 0 ? 'fail' : 'pass';
      return Promise.resolve(result(status, calls, `output ${calls}`));
    };
    const runner = createRunner(definition({ name: 'web', flapThresholdPercent: 30 }), {
      execute,
      logger,
    });
    for (let n = 0; n < flips + calm; n += 1) await runner.read({ bypassCache: true });
    runner.stop();
    mock.timers.tick(120_000);
    return { lines: lines(), runner };
  }

  it('logs one line when the check starts flapping and none per change after it', async () => {
    const { lines, runner } = await flapThenCalm(40, 0);
    const started = lines.filter((entry) => /started flapping/.test(String(entry.msg)));
    assert.equal(started.length, 1);
    assert.match(
      String(started[0]?.msg),
      /^check web started flapping \(\d+(\.\d)?% state change over the last 21 results, flap_threshold 30%\); now (pass|fail)$/,
    );
    assert.equal(started[0]?.flapping, true);
    const afterStart = lines.slice(lines.indexOf(started[0] ?? {}) + 1);
    assert.deepEqual(afterStart, [], 'no change line, no summary while it flaps');
    assert.equal(runner.snapshot().history.flap?.flapping, true);
  });

  it('logs one line when it stops, counting the changes it did not log', async () => {
    const { lines } = await flapThenCalm(40, 30);
    const flapLines = lines.filter((entry) => /flapping/.test(String(entry.msg)));
    assert.deepEqual(
      flapLines.map((entry) => String(entry.msg).replace(/\(.*\)/, '(...)')),
      [
        'check web started flapping (...); now pass',
        'check web stopped flapping (...) after 34 state changes not logged; now pass',
      ],
    );
    assert.equal(flapLines[1]?.changes, 34);
    assert.equal(flapLines[1]?.level, 30);
  });
});
