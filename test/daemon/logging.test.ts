import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createLogSink, type LogOutput } from '../../src/daemon/log-sink.js';
import { createLogger, droppedLogLines, flushLog } from '../../src/daemon/logging.js';

/** An output that takes what it is given until `stall()`; `recover()` takes it all and drains. */
function fakeOutput() {
  const events = new EventEmitter();
  const written: string[] = [];
  let stalled = false;
  let pending = '';
  const output: LogOutput = {
    write(chunk) {
      if (stalled) pending += chunk;
      else written.push(chunk);
      return !stalled;
    },
    once: (event, listener) => events.once(event, listener),
    on: (event, listener) => events.on(event, listener),
    get writableLength() {
      return pending.length;
    },
  };
  return {
    output,
    /** Everything written, split into lines. */
    lines: () => written.join('').split('\n').filter(Boolean),
    writes: () => written.length,
    stall: () => void (stalled = true),
    recover() {
      stalled = false;
      if (pending !== '') written.push(pending);
      pending = '';
      events.emit('drain');
    },
    fail: () => void events.emit('error', new Error('write EPIPE')),
    listeners: () => events.listenerCount('drain'),
  };
}

const line = (n: number, size = 10): string => `${String(n).padStart(size, '0')}\n`;

describe('log sink', { timeout: 30_000 }, () => {
  it('passes lines straight through while the output takes them', () => {
    const fake = fakeOutput();
    const sink = createLogSink(fake.output);
    for (let n = 0; n < 3; n += 1) sink.write(line(n));
    assert.deepEqual(
      fake.lines(),
      [line(0), line(1), line(2)].map((text) => text.trim()),
    );
    assert.equal(sink.droppedLines(), 0);
  });

  it('holds lines up to its limit while the output is full, drops whole lines past it and counts them', () => {
    const fake = fakeOutput();
    const recovered: number[] = [];
    // 11 bytes a line: four fit in 50 bytes.
    const sink = createLogSink(fake.output, {
      maxHeldBytes: 50,
      onRecovered: (dropped) => recovered.push(dropped),
    });
    fake.stall();
    sink.write(line(0)); // taken by the output, which now says it is full
    for (let n = 1; n <= 10; n += 1) sink.write(line(n));
    assert.equal(fake.writes(), 0, 'nothing more handed to a full output');
    assert.equal(sink.droppedLines(), 6);
    assert.deepEqual(recovered, [], 'nothing reported while the reader stalls');
    assert.equal(fake.listeners(), 1, 'one drain listener, however many lines came');
    fake.recover();
    assert.deepEqual(
      fake.lines(),
      [0, 1, 2, 3, 4].map((n) => line(n).trim()),
      'the held lines, in order, and none of the dropped ones',
    );
    assert.deepEqual(recovered, [6], 'the loss reported once the reader took everything');
    sink.write(line(11));
    fake.stall();
    fake.recover();
    assert.deepEqual(recovered, [6], 'reported once, not at every drain');
    assert.equal(sink.droppedLines(), 6);
  });

  it('reports each later loss again, with only the lines lost since the last report', () => {
    const fake = fakeOutput();
    const recovered: number[] = [];
    const sink = createLogSink(fake.output, {
      maxHeldBytes: 11,
      onRecovered: (dropped) => recovered.push(dropped),
    });
    for (const lost of [3, 5]) {
      fake.stall();
      sink.write(line(0));
      for (let n = 0; n <= lost; n += 1) sink.write(line(n));
      fake.recover();
    }
    assert.deepEqual(recovered, [3, 5]);
    assert.equal(sink.droppedLines(), 8);
  });

  it('formats only the lines it writes, never those it drops', () => {
    const fake = fakeOutput();
    let formatted = 0;
    const sink = createLogSink(fake.output, {
      maxHeldBytes: 21,
      format: (text) => {
        formatted += 1;
        return text.toUpperCase();
      },
    });
    fake.stall();
    for (let n = 0; n < 100; n += 1) sink.write(`line ${n}\n`);
    assert.equal(formatted, 1, 'only the line written at once; held lines wait for the reader');
    fake.recover();
    assert.equal(formatted, 4);
    assert.deepEqual(fake.lines(), ['LINE 0', 'LINE 1', 'LINE 2', 'LINE 3']);
    assert.equal(sink.droppedLines(), 96);
  });

  it('gives up a flush at its deadline while the reader stalls, and completes once it reads', async () => {
    const fake = fakeOutput();
    const sink = createLogSink(fake.output);
    fake.stall();
    sink.write(line(1));
    sink.write(line(2));
    assert.equal(await sink.flushWithin(30), false);
    const flushed = sink.flushWithin(10_000);
    fake.recover();
    assert.equal(await flushed, true);
    assert.deepEqual(fake.lines(), [line(1).trim(), line(2).trim()]);
  });

  it('drops every line once the output failed (its reader gone), and never throws', async () => {
    const fake = fakeOutput();
    const sink = createLogSink(fake.output);
    fake.stall();
    sink.write(line(1));
    sink.write(line(2));
    fake.fail();
    assert.doesNotThrow(() => sink.write(line(3)));
    assert.equal(sink.droppedLines(), 2, 'the held line and the one after the failure');
    assert.equal(await sink.flushWithin(10_000), false);
  });
});

describe('createLogger', { timeout: 30_000 }, () => {
  it('writes json lines and reports a loss as one json warning once the reader is back', async () => {
    const fake = fakeOutput();
    const logger = await createLogger('info', 'json', { output: fake.output, maxHeldBytes: 400 });
    fake.stall();
    for (let n = 0; n < 20; n += 1) logger.info({ n }, 'filler line to fill the buffer');
    const dropped = droppedLogLines(logger);
    assert.ok(dropped > 0, 'lines dropped');
    fake.recover();
    const lines = fake.lines().map((text) => JSON.parse(text) as Record<string, unknown>);
    const reports = lines.filter((entry) => entry.droppedLines !== undefined);
    assert.equal(reports.length, 1);
    assert.equal(reports[0]?.droppedLines, dropped);
    assert.equal(reports[0]?.level, 40);
    assert.equal(
      reports[0]?.msg,
      `${dropped} log lines were dropped while stderr was not being read`,
    );
    assert.equal(lines.length, 20 - dropped + 1);
  });

  it('writes text one line an event, errors and output included', async () => {
    const fake = fakeOutput();
    const logger = await createLogger('info', 'text', { output: fake.output });
    logger.fatal({ err: new Error('boom\nsecond line') }, 'crashed');
    logger.warn({ output: 'first\nsecond' }, 'check db is now fail');
    const lines = fake.lines();
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(
      lines[0] ?? '',
      /^\[.*\] FATAL \(\d+\): crashed .*"stack":"Error: boom\\nsecond line\\n/,
    );
    assert.match(lines[1] ?? '', /WARN \(\d+\): check db is now fail .*"output":"first\\nsecond"/);
  });

  it('reports a loss in the text format too', async () => {
    const fake = fakeOutput();
    const logger = await createLogger('info', 'text', { output: fake.output, maxHeldBytes: 300 });
    fake.stall();
    for (let n = 0; n < 20; n += 1) logger.info({ n }, 'filler line to fill the buffer');
    const dropped = droppedLogLines(logger);
    fake.recover();
    const reports = fake.lines().filter((text) => text.includes('log lines were dropped'));
    assert.equal(reports.length, 1);
    assert.match(
      reports[0] ?? '',
      new RegExp(`WARN \\(\\d+\\): ${dropped} log lines were dropped`),
    );
  });

  it('flushes and counts nothing for a logger it did not make', async () => {
    const logger = pino({ level: 'silent' });
    assert.equal(droppedLogLines(logger), 0);
    assert.equal(await flushLog(logger, 10), true);
  });

  it('flushes within its bound when the reader stalls', async () => {
    const fake = fakeOutput();
    const logger = await createLogger('info', 'json', { output: fake.output });
    fake.stall();
    logger.info('stopped');
    assert.equal(await flushLog(logger, 30), false);
    fake.recover();
    assert.equal(await flushLog(logger, 10_000), true);
    assert.match(fake.lines()[0] ?? '', /"msg":"stopped"/);
  });
});
