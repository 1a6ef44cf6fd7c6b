import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { grpcCheck } from '../support/grpc-client.js';
import { freePort } from '../support/listen.js';
import { httpRequest } from '../support/http-client.js';
import { requireProgram } from '../support/programs.js';
import { eventually } from '../support/wait.js';
import { repoRoot, tempDir } from '../support/paths.js';
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
  const installedBin: { path: string | null } = { path: null };
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
    // The spawn helper the packing build compiled (CI has a C compiler), for its architecture.
    assert.equal(
      existsSync(join(installed, 'dist', 'native', 'healthcheckd-spawn-helper')),
      existsSync(join(repoRoot, 'dist', 'native', 'healthcheckd-spawn-helper')),
      'the spawn helper shipped exactly when the build made one',
    );
    const versionRun = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    assert.equal(versionRun.stdout.trim(), version);
    const check = spawnSync(bin, ['check', '--command', 'true'], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /^command-1 +PASS/m);
    installedBin.path = bin;
  });

  // The installed bundle's daemon, with the gRPC packages it loads from node_modules.
  it('runs the daemon from the install, with [grpc] loaded from its node_modules', async (t) => {
    if (installedBin.path === null) return t.skip('not installed: see the test above');
    const config = join(dir.path, 'installed.config');
    const grpcPort = await freePort();
    writeFileSync(
      config,
      `[healthcheckd]\nport = 0\nbind = 127.0.0.1\npiddir = ${dir.path}\n` +
        `spool_dir = ${dir.path}/spool\nlog_format = json\ncommand = true\n` +
        `[grpc]\nport = ${grpcPort}\nbind = 127.0.0.1\n`,
    );
    const debHelper = '/usr/libexec/healthcheckd/spawn-helper';
    const debBefore = existsSync(debHelper);
    const daemon = spawn(installedBin.path, ['run', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    daemon.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    try {
      const up = (): boolean => daemon.exitCode !== null || /grpc health service on/.test(log);
      assert.ok(await eventually(up, 30_000), `no start line within 30 s: ${log}`);
      assert.equal(daemon.exitCode, null, `exited: ${log}`);
      const port = Number(/listening on http:\/\/[^:]+:(\d+)/.exec(log)?.[1]);
      // The daemon starts its checks through the helper the package carries, where it has one
      // (or the Debian package's, which `auto` tries first, while deb.test has it installed).
      const spawner = /"spawner":"([^"]*)"/.exec(log)?.[1] ?? '';
      const shipped = join(
        dirname(dirname(installedBin.path)),
        'lib',
        'node_modules',
        'healthcheckd',
        'dist',
        'native',
        'healthcheckd-spawn-helper',
      );
      const expected = existsSync(join(repoRoot, 'dist', 'native', 'healthcheckd-spawn-helper'))
        ? [shipped]
        : ['node'];
      if (debBefore || existsSync(debHelper)) expected.push(debHelper);
      assert.ok(
        expected.includes(spawner),
        `spawner ${spawner}, not one of ${expected.join(', ')}`,
      );
      assert.equal((await httpRequest(port)).status, 200);
      // Named and working: no warning that it ended or was given up (its check ran through it).
      assert.doesNotMatch(log, /spawn helper .*(ended|never said|did not say)/);
      const [answer] = await grpcCheck(grpcPort, ['']);
      assert.equal(answer?.status, 'SERVING', JSON.stringify(answer));
    } finally {
      daemon.kill('SIGTERM');
      await once(daemon, 'exit');
    }
  });
});
