import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { elfIdentity, findProgram, hostElf, kernelRuns } from '../../src/checks/program-file.js';
import { scratchDir } from '../support/cli-child.js';

const host = hostElf();

/** A copy of `/usr/bin/env` (an ELF program of this machine) at `file`, changed by `edit`. */
function elfCopy(file: string, edit: (bytes: Buffer) => void = () => undefined): string {
  const source = findProgram('env', process.env.PATH ?? '/usr/bin:/bin');
  assert.ok(source, 'env on PATH');
  const bytes = readFileSync(source);
  edit(bytes);
  writeFileSync(file, bytes, { mode: 0o755 });
  return file;
}

/** True when the kernel executes `file` (no spawn error). */
function executes(file: string): boolean {
  const run = spawnSync(file, ['--version'], { stdio: 'ignore' });
  return run.error === undefined;
}

describe('findProgram', { timeout: 30_000 }, () => {
  const dir = scratchDir();
  after(() => dir.cleanup());

  it('takes the first executable regular file on PATH, named as bash names it', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((name) => join(dir.path, name)) as [
      string,
      string,
      string,
    ];
    for (const folder of [a, b, c]) mkdirSync(folder);
    writeFileSync(join(a, 'probe'), '#!/bin/sh\n', { mode: 0o644 });
    mkdirSync(join(b, 'probe'));
    writeFileSync(join(c, 'probe'), '#!/bin/sh\n', { mode: 0o755 });
    assert.equal(findProgram('probe', `${a}:${b}:${c}/`), join(c, 'probe'));
    assert.equal(findProgram('probe', `${a}:${b}`), null);
  });

  it('takes a word with a slash as it is, and refuses empty or relative PATH entries', () => {
    const script = join(dir.path, 'direct');
    writeFileSync(script, '#!/bin/sh\n', { mode: 0o755 });
    assert.equal(findProgram(script, ''), script);
    assert.equal(findProgram(join(dir.path, 'none'), '/bin'), null);
    assert.equal(findProgram('sh', ':/bin'), null);
    assert.equal(findProgram('sh', 'bin:/bin'), null);
  });
});

describe(
  'kernelRuns',
  { skip: host === null ? 'node is not an ELF binary here' : false, timeout: 30_000 },
  () => {
    const dir = scratchDir();
    after(() => dir.cleanup());
    const id = host ?? { elfClass: 2, byteOrder: 1, machine: 62 };

    it('is true for an ELF program of this machine and for a #! script', () => {
      assert.equal(kernelRuns(elfCopy(join(dir.path, 'env-copy')), id), true);
      const script = join(dir.path, 'script');
      writeFileSync(script, '#!/bin/sh -e\nexit 0\n', { mode: 0o755 });
      assert.equal(kernelRuns(script, id), true);
      const nested = join(dir.path, 'nested');
      writeFileSync(nested, `#! ${script}\n`, { mode: 0o755 });
      assert.equal(kernelRuns(nested, id), true);
    });

    it('is false for what the kernel refuses or execvp would search past', () => {
      const plain = join(dir.path, 'no-shebang');
      writeFileSync(plain, 'exit 0\n', { mode: 0o755 });
      const missing = join(dir.path, 'missing-interpreter');
      writeFileSync(missing, `#!${dir.path}/nowhere\n`, { mode: 0o755 });
      const relative = join(dir.path, 'relative-interpreter');
      writeFileSync(relative, '#!sh\n', { mode: 0o755 });
      const endless = join(dir.path, 'endless');
      writeFileSync(endless, `#!/bin/sh${' '.repeat(300)}`, { mode: 0o755 });
      const foreign = elfCopy(join(dir.path, 'foreign'), (bytes) => {
        bytes.writeUInt16LE(id.machine === 183 ? 62 : 183, 18);
      });
      const noLoader = elfCopy(join(dir.path, 'no-loader'), (bytes) => {
        const at = bytes.indexOf('/lib');
        if (at >= 0 && at < 4096) bytes.write('/nix', at, 'latin1');
      });
      for (const file of [plain, missing, relative, endless, foreign, noLoader]) {
        assert.equal(kernelRuns(file, id), false, file);
      }
      assert.equal(executes(noLoader), false, 'the kernel refuses it as well');
      assert.equal(kernelRuns(join(dir.path, 'absent'), id), false);
    });

    it('is false for a file it may not read', (t) => {
      if (process.getuid?.() === 0) {
        t.skip('root reads every file');
        return;
      }
      const hidden = join(dir.path, 'unreadable');
      writeFileSync(hidden, '#!/bin/sh\n', { mode: 0o711 });
      chmodSync(hidden, 0o111);
      assert.equal(kernelRuns(hidden, id), false);
    });
  },
);

describe('elfIdentity', { timeout: 30_000 }, () => {
  it('reads class, byte order and machine, and refuses what is not ELF', () => {
    const header = Buffer.alloc(64);
    header.write('\x7fELF', 0, 'latin1');
    header[4] = 2;
    header[5] = 1;
    header.writeUInt16LE(62, 18);
    assert.deepEqual(elfIdentity(header), { elfClass: 2, byteOrder: 1, machine: 62 });
    assert.equal(elfIdentity(Buffer.from('#!/bin/sh\n')), null);
    header[4] = 7;
    assert.equal(elfIdentity(header), null);
  });
});
