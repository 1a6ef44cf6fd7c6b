import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findProgram } from '../../src/checks/program-file.js';
import { applyEffect, envEffect, probeShellEnv } from '../../src/checks/shell-probe.js';
import { isExecutableFile } from '../../src/util/default-shell.js';

describe('envEffect and applyEffect', { timeout: 30_000 }, () => {
  it('learns what the shell set, dropped, and where it put the program path', () => {
    const given = { PATH: '/bin', OLDPWD: '/x', KEEP: 'same', _: '/usr/bin/node' };
    const seen = new Map([
      ['PATH', '/bin'],
      ['KEEP', 'same'],
      ['PWD', '/srv'],
      ['SHLVL', '0'],
      ['_', '/usr/bin/env'],
    ]);
    const effect = envEffect(given, seen, '/usr/bin/env');
    assert.deepEqual(effect, {
      set: new Map([
        ['PWD', '/srv'],
        ['SHLVL', '0'],
      ]),
      unset: ['OLDPWD'],
      programPath: '_',
    });
    assert.deepEqual(applyEffect({ ...given, HEALTHCHECKD_CHECK: 'db' }, effect, '/bin/printenv'), {
      PATH: '/bin',
      KEEP: 'same',
      _: '/bin/printenv',
      HEALTHCHECKD_CHECK: 'db',
      PWD: '/srv',
      SHLVL: '0',
    });
  });
});

describe('probeShellEnv', { timeout: 30_000 }, () => {
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C', OLDPWD: '/nonexistent-dir' };
  const envFile = findProgram('env', env.PATH);

  for (const shell of ['/bin/bash', '/bin/dash']) {
    it(
      `asks ${shell}`,
      {
        timeout: 20_000,
        skip: isExecutableFile(shell) && envFile ? false : `${shell} or env missing`,
      },
      async () => {
        const effect = await probeShellEnv(shell, env, envFile ?? '/usr/bin/env');
        assert.ok(effect, 'the probe answered');
        assert.equal(effect.set.get('PWD'), process.cwd());
        if (shell.endsWith('bash')) assert.equal(effect.programPath, '_');
      },
    );
  }

  it(
    'gives up when the shell writes to stderr (a startup file, xtrace)',
    {
      timeout: 20_000,
      skip: isExecutableFile('/bin/bash') ? false : 'bash missing',
    },
    async () => {
      const traced = { ...env, SHELLOPTS: 'xtrace' };
      assert.equal(await probeShellEnv('/bin/bash', traced, envFile ?? '/usr/bin/env'), null);
    },
  );
});
