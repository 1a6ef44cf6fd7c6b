import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { requireProgram } from '../support/programs.js';
import { tempDir } from '../support/paths.js';
import { npmTarball, requireArtifact, version } from './artifacts.js';

const skip =
  requireArtifact(npmTarball, 'mkdir -p build/npm && npm pack --pack-destination build/npm') ||
  requireProgram('npm');

/**
 * The npm tarball as a user installs it: `npm install -g` from the file into a prefix of its
 * own (the registry gives the dependencies), with no warning, and a `healthcheckd` that works.
 */
describe('npm pack, then npm install -g', { skip, timeout: 300_000 }, () => {
  const dir = tempDir('hcd-npm-');
  after(() => dir.cleanup());

  it('installs with no warning, runs no build, and gives a working healthcheckd', () => {
    const prefix = join(dir.path, 'prefix');
    const install = spawnSync(
      'npm',
      ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', npmTarball],
      { encoding: 'utf8', timeout: 240_000, cwd: dir.path },
    );
    assert.equal(install.status, 0, install.stderr);
    // npm 11 lists every dependency with an install script until the user allows it; the one
    // such dependency is protobufjs (through @grpc/grpc-js), whose postinstall only checks
    // its own version. Any other warning (an engine, a deprecation, our own prepare) fails.
    const warnings = `${install.stdout}${install.stderr}`
      .split('\n')
      .filter((line) => /npm warn/i.test(line))
      .filter((line) => !/^npm warn install-scripts( |$)(?!.*healthcheckd)/i.test(line));
    assert.deepEqual(warnings, []);
    const bin = join(prefix, 'bin', 'healthcheckd');
    assert.ok(existsSync(bin));
    assert.ok(
      existsSync(join(prefix, 'share', 'man', 'man1', 'healthcheckd.1')),
      'man page linked',
    );
    const installed = join(prefix, 'lib', 'node_modules', 'healthcheckd');
    assert.equal(existsSync(join(installed, 'src')), false, 'no TypeScript sources shipped');
    assert.ok(existsSync(join(installed, 'dist', 'bundle', 'healthcheckd.mjs')));
    assert.equal(existsSync(join(installed, 'dist', 'src')), false, 'the bundle only');
    // The spawn helper is built for one architecture: only the executable and the .deb carry it.
    assert.equal(existsSync(join(installed, 'dist', 'native')), false, 'no spawn helper shipped');
    const versionRun = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    assert.equal(versionRun.stdout.trim(), version);
    const check = spawnSync(bin, ['check', '--command', 'true'], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /^command-1 +PASS/m);
  });
});
