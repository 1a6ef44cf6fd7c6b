import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOutputCapture, outputLimitBytes } from '../../src/checks/output-capture.js';

describe('createOutputCapture', { timeout: 30_000 }, () => {
  it('keeps 4 KiB by default', () => {
    assert.equal(outputLimitBytes, 4096);
  });

  it('returns output below the limit unchanged, with no marker', () => {
    const capture = createOutputCapture();
    capture.add(Buffer.from('hello\n'));
    capture.add(Buffer.from('world\n'));
    assert.equal(capture.text(), 'hello\nworld\n');
  });

  it('returns an empty string when nothing was written', () => {
    assert.equal(createOutputCapture().text(), '');
  });

  it('keeps output of exactly the limit whole, with no marker', () => {
    const capture = createOutputCapture();
    capture.add(Buffer.alloc(4096, 'a'));
    assert.equal(capture.text(), 'a'.repeat(4096));
  });

  it('cuts a chunk that crosses the limit and names both sizes', () => {
    const capture = createOutputCapture();
    capture.add(Buffer.alloc(4097, 'a'));
    assert.equal(capture.text(), `${'a'.repeat(4096)}\n[Captured 4096 of 4097 bytes]`);
  });

  it('cuts across chunks at the limit', () => {
    const capture = createOutputCapture();
    capture.add(Buffer.alloc(3000, 'a'));
    capture.add(Buffer.alloc(3000, 'b'));
    capture.add(Buffer.alloc(10, 'c'));
    assert.equal(
      capture.text(),
      `${'a'.repeat(3000)}${'b'.repeat(1096)}\n[Captured 4096 of 6010 bytes]`,
    );
  });

  it('copies kept chunks, so a reused buffer does not change what was captured', () => {
    const capture = createOutputCapture();
    const buffer = Buffer.from('first');
    capture.add(buffer);
    buffer.write('XXXXX');
    assert.equal(capture.text(), 'first');
  });

  it('honours a custom limit', () => {
    const capture = createOutputCapture(4);
    capture.add(Buffer.from('abcdef'));
    assert.equal(capture.text(), 'abcd\n[Captured 4 of 6 bytes]');
  });

  it('keeps at most 4096 bytes of 100 MB written in 64 KiB chunks', () => {
    const capture = createOutputCapture();
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const chunks = 1600;
    for (let i = 0; i < chunks; i += 1) capture.add(chunk);
    const total = chunks * chunk.length;
    assert.equal(total, 104_857_600);
    assert.equal(capture.text(), `${'x'.repeat(4096)}\n[Captured 4096 of ${total} bytes]`);
  });
});
