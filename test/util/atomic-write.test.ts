import assert from 'node:assert/strict';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { writeFileAtomic } from '../../src/util/atomic-write.js';
import { tempDir } from '../support/paths.js';

describe('writeFileAtomic', { timeout: 30_000 }, () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ path: dir, cleanup } = tempDir('hcd-atomic-'));
  });
  afterEach(() => cleanup());

  it('writes the content, replacing what was there, and leaves no temp file', () => {
    const path = join(dir, 'file');
    writeFileSync(path, 'old content that is longer');
    writeFileAtomic(path, 'new\n');
    assert.equal(readFileSync(path, 'utf8'), 'new\n');
    assert.deepEqual(readdirSync(dir), ['file']);
  });

  it('creates the file with mode 0644 (less the umask), or the mode given', () => {
    const umask = process.umask();
    writeFileAtomic(join(dir, 'default'), 'x');
    writeFileAtomic(join(dir, 'private'), 'x', 0o600);
    assert.equal(statSync(join(dir, 'default')).mode & 0o777, 0o644 & ~umask);
    assert.equal(statSync(join(dir, 'private')).mode & 0o777, 0o600 & ~umask);
  });

  it('replaces a symlink at the path and leaves its target untouched', () => {
    const target = join(dir, 'precious');
    const path = join(dir, 'link');
    writeFileSync(target, 'do not touch');
    symlinkSync(target, path);
    writeFileAtomic(path, '1234\n');
    assert.equal(lstatSync(path).isSymbolicLink(), false);
    assert.equal(readFileSync(path, 'utf8'), '1234\n');
    assert.equal(readFileSync(target, 'utf8'), 'do not touch');
  });

  it('does not create the target of a dangling symlink', () => {
    const target = join(dir, 'elsewhere');
    const path = join(dir, 'link');
    symlinkSync(target, path);
    writeFileAtomic(path, 'x');
    assert.equal(lstatSync(path).isFile(), true);
    assert.deepEqual(readdirSync(dir), ['link']);
  });

  it('throws and leaves nothing when the directory is missing', () => {
    assert.throws(() => writeFileAtomic(join(dir, 'missing', 'file'), 'x'), { code: 'ENOENT' });
    assert.deepEqual(readdirSync(dir), []);
  });

  it('throws and removes its temp file when the rename fails', () => {
    const path = join(dir, 'occupied');
    mkdirSync(path);
    writeFileSync(join(path, 'inside'), 'x');
    assert.throws(
      () => writeFileAtomic(path, 'x'),
      (error: NodeJS.ErrnoException) =>
        ['EISDIR', 'ENOTEMPTY', 'EEXIST'].includes(error.code ?? ''),
    );
    assert.deepEqual(readdirSync(dir), ['occupied']);
    assert.deepEqual(readdirSync(path), ['inside']);
  });

  it('closes its file descriptor once when the rename fails', {}, () => {
    const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
    const original = fs.closeSync;
    const closed: number[] = [];
    fs.closeSync = (fd: number): void => {
      closed.push(fd);
      original(fd);
    };
    syncBuiltinESMExports();
    const path = join(dir, 'occupied');
    mkdirSync(path);
    writeFileSync(join(path, 'inside'), 'x');
    try {
      assert.throws(() => writeFileAtomic(path, 'x'));
    } finally {
      fs.closeSync = original;
      syncBuiltinESMExports();
    }
    assert.equal(closed.length, 1, `closeSync called for fds ${closed.join(', ')}`);
  });
});
