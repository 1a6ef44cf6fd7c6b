import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parsePerfdata } from '../../src/checks/perfdata.js';

const item = (label: string, value: number, unit = '', more: object = {}) => ({
  label,
  value,
  unit,
  warn: null,
  crit: null,
  min: null,
  max: null,
  ...more,
});

describe('parsePerfdata: the Nagios plugin guidelines format', { timeout: 30_000 }, () => {
  it('reads the first line after |, with thresholds, min and max', () => {
    const read = parsePerfdata(
      'DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968\n',
    );
    assert.deepEqual(read.values, [
      item('/', 2643, 'MB', { warn: '5948', crit: '5958', min: 0, max: 5968 }),
    ]);
    assert.deepEqual(read.notes, []);
  });

  it('reads several items, quoted labels with spaces and quote marks, and every unit', () => {
    const units = ['s', 'ms', 'us', '%', 'B', 'KB', 'MB', 'TB', 'c'];
    const items = units.map((unit, index) => `u${index}=${index}.5${unit}`).join(' ');
    const read = parsePerfdata(`OK | 'my label'=5s 'it''s'=-1.5 ${items}`);
    assert.deepEqual(read.values.slice(0, 2), [item('my label', 5, 's'), item("it's", -1.5)]);
    assert.deepEqual(
      read.values.slice(2).map((value) => value.unit),
      units,
    );
    assert.deepEqual(read.notes, []);
  });

  it('takes empty fields as null and threshold ranges as printed', () => {
    const read = parsePerfdata('OK | lag=12s;;30;0 load=1;@10:20;~:5; time=0.002s;;;;');
    assert.deepEqual(read.values, [
      item('lag', 12, 's', { crit: '30', min: 0 }),
      item('load', 1, '', { warn: '@10:20', crit: '~:5' }),
      item('time', 0.002, 's'),
    ]);
  });

  it('reads perfdata continued on a later line after its |, and the lines after it', () => {
    const output = [
      'DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968',
      '/ 15272 MB (77%);',
      '/boot 68 MB (69%); | /boot=68MB;88;93;0;98',
      '/home=69357MB;253404;253409;0;253414',
    ].join('\n');
    assert.deepEqual(
      parsePerfdata(output).values.map((value) => [value.label, value.value]),
      [
        ['/', 2643],
        ['/boot', 68],
        ['/home', 69357],
      ],
    );
  });

  it('finds none in output without |, and ignores long text lines before the later |', () => {
    assert.deepEqual(parsePerfdata('OK\nx=1\n'), { values: [], notes: [] });
    assert.deepEqual(parsePerfdata(''), { values: [], notes: [] });
  });

  it('skips malformed items with a note, keeping the good ones', () => {
    const read = parsePerfdata(
      "OK | a=1 b=x c=2furlongs d=3;1;2;zero e =5 g=1e999 h=4;a:b a=9 i=U 'j=1 k=2",
    );
    assert.deepEqual(
      read.values.map((value) => value.label),
      ['a'],
    );
    // An unbalanced quote takes the rest of the line into one item, as a Nagios reader would.
    assert.equal(read.notes.length, 10, read.notes.join('\n'));
    assert.ok(read.notes.every((note) => note.startsWith('perfdata: ')));
  });

  it('drops the last item of output cut at 4 KiB, which may itself be cut', () => {
    const read = parsePerfdata('OK | a=1 b=12\n[Captured 4096 of 9000 bytes]');
    assert.deepEqual(
      read.values.map((value) => value.label),
      ['a'],
    );
    assert.match(read.notes[0] ?? '', /cut at 4 KiB/);
  });

  it('keeps at most 100 items', () => {
    const many = Array.from({ length: 150 }, (_, index) => `x${index}=1`).join(' ');
    const read = parsePerfdata(`OK | ${many}`);
    assert.equal(read.values.length, 100);
    assert.match(read.notes.at(-1) ?? '', /after the first 100/);
  });

  it('never throws and returns only finite values, on any text', () => {
    const alphabet = fc.constantFrom(..."|=;'\n :@~-+.eE0123456789sBKMmu%c ab".split(''));
    const text = fc.oneof(
      fc.string({ unit: alphabet, maxLength: 300 }),
      fc.string({ maxLength: 300 }),
    );
    fc.assert(
      fc.property(text, (output) => {
        const read = parsePerfdata(output);
        for (const value of read.values) {
          assert.ok(Number.isFinite(value.value));
          assert.ok(value.min === null || Number.isFinite(value.min));
        }
        assert.ok(read.values.length <= 100);
      }),
      { numRuns: 2000 },
    );
  });
});
