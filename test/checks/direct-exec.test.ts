import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  createDirectExec,
  directArgv,
  envNeedsShell,
  isPlainDefaultShell,
  type DirectExec,
} from '../../src/checks/direct-exec.js';
import { defaultShell, isExecutableFile } from '../../src/util/default-shell.js';
import { pollUntil, scratchDir } from '../support/cli-child.js';

const bash = isExecutableFile('/bin/bash') ? '/bin/bash' : null;
const baseEnv = (): NodeJS.ProcessEnv => ({ PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C' });

/** A planner whose probe of the shell has answered: plans of a plain ELF command come back. */
async function readyPlanner(shell: string, env: NodeJS.ProcessEnv): Promise<DirectExec> {
  const direct = createDirectExec({ shell, env, shellAllows: true });
  const ready = await pollUntil(() => direct.plan('printenv HOME', env) !== null, 10_000);
  assert.ok(ready, `the probe of ${shell} never answered`);
  return direct;
}

describe('directArgv', { timeout: 30_000 }, () => {
  it('splits plain words', () => {
    assert.deepEqual(directArgv('/usr/lib/check-disk --min 10% /var'), [
      '/usr/lib/check-disk',
      '--min',
      '10%',
      '/var',
    ]);
    assert.deepEqual(directArgv('  printenv HOME  '), ['printenv', 'HOME']);
  });

  it('leaves anything with shell syntax to the shell', () => {
    for (const command of [
      'test ${RANDOM: -1} -ge 5',
      'echo $HOME',
      'a | b',
      'a && b',
      'sleep 1 &',
      'printenv "quoted"',
      "printenv 'quoted'",
      'ls *.txt',
      'cat < in',
      'printenv hi > out',
      'printenv `date`',
      'ls ~',
      'a\tb',
      'printenv a\\ b',
      'a;b',
    ]) {
      assert.equal(directArgv(command), null, command);
    }
  });

  it('leaves builtins to the shell, also those with a program of the same name', () => {
    for (const command of [
      'exit 1',
      'cd /tmp',
      'export A',
      'if',
      '. f',
      'echo --help',
      'printf x',
      'test -d /tmp',
      'pwd',
      'kill -l',
      'true --help',
      'false x',
    ]) {
      assert.equal(directArgv(command), null, command);
    }
  });

  it('runs bare true and false directly: their builtins and programs cannot differ', () => {
    assert.deepEqual(directArgv('true'), ['true']);
    assert.deepEqual(directArgv('false'), ['false']);
  });

  it('leaves variable assignments and empty commands to the shell', () => {
    assert.equal(directArgv('A=1 env'), null);
    assert.equal(directArgv(''), null);
    assert.equal(directArgv('   '), null);
  });
});

describe('envNeedsShell', { timeout: 30_000 }, () => {
  it('is false for an ordinary environment', () => {
    assert.equal(envNeedsShell({ PATH: '/bin', HOME: '/root', SHLVL: '1', _: '/bin/x' }), false);
  });

  it('is true for startup files, shell options, EXECIGNORE and exported functions', () => {
    for (const extra of [
      { BASH_ENV: '/etc/site.sh' },
      { ENV: '/etc/site.sh' },
      { SHELLOPTS: 'xtrace' },
      { BASHOPTS: 'extglob' },
      { EXECIGNORE: '/usr/bin/*' },
      { 'BASH_FUNC_probe%%': '() {  return 0\n}' },
      { probe: '() {  return 0\n}' },
    ]) {
      assert.equal(envNeedsShell({ PATH: '/bin', ...extra }), true, JSON.stringify(extra));
    }
  });
});

describe('isPlainDefaultShell', { timeout: 30_000 }, () => {
  const dir = scratchDir();
  after(() => dir.cleanup());

  it('accepts the default shell, also under another name of the same file', (t) => {
    const shell = defaultShell();
    if (!['bash', 'dash'].some((name) => realpathSync(shell).endsWith(`/${name}`))) {
      t.skip(`the default shell here is ${realpathSync(shell)}, neither bash nor dash`);
      return;
    }
    assert.equal(isPlainDefaultShell(shell), true);
    assert.equal(isPlainDefaultShell(realpathSync(shell), shell), true);
  });

  it('refuses a wrapper, another shell than the default, and a missing file', () => {
    const wrapper = join(dir.path, 'site-shell');
    writeFileSync(wrapper, '#!/bin/sh\nexec /bin/sh "$@"\n', { mode: 0o755 });
    assert.equal(isPlainDefaultShell(wrapper, '/bin/sh'), false);
    assert.equal(isPlainDefaultShell('/bin/sh', join(dir.path, 'nothing')), false);
    assert.equal(isPlainDefaultShell(join(dir.path, 'nothing'), '/bin/sh'), false);
  });
});

describe(
  'createDirectExec',
  { skip: bash === null ? 'bash not installed' : false, timeout: 30_000 },
  () => {
    const dir = scratchDir();
    after(() => dir.cleanup());
    const shell = bash ?? '/bin/bash';

    it('sends everything through the shell until the shell has been asked', () => {
      const direct = createDirectExec({ shell, env: baseEnv(), shellAllows: true });
      assert.equal(direct.plan('printenv HOME', baseEnv()), null);
    });

    it(
      'then runs an ELF program directly, with the environment the shell would give it',
      {
        timeout: 20_000,
      },
      async () => {
        const env = { ...baseEnv(), OLDPWD: join(dir.path, 'gone'), SHLVL: '4' };
        const direct = await readyPlanner(shell, env);
        const run = direct.plan('env -0', env);
        assert.ok(run);
        assert.deepEqual(run.argv, ['env', '-0']);
        const viaShell = spawnSync(shell, ['-c', 'env -0'], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
          encoding: 'utf8',
        });
        const entries = (text: string): string[] => text.split('\0').filter(Boolean).sort();
        const planned = Object.entries(run.env).map(([name, value]) => `${name}=${value}`);
        assert.deepEqual(planned.sort(), entries(viaShell.stdout));
        assert.match(run.env._ ?? '', /\/env$/);
      },
    );

    it(
      'leaves a script without #!, or whose interpreter is missing, to the shell',
      {
        timeout: 20_000,
      },
      async () => {
        const direct = await readyPlanner(shell, baseEnv());
        const plain = join(dir.path, 'no-shebang');
        writeFileSync(plain, 'exit 0\n', { mode: 0o755 });
        const broken = join(dir.path, 'bad-interpreter');
        writeFileSync(broken, `#!${dir.path}/nowhere/sh\nexit 0\n`, { mode: 0o755 });
        const good = join(dir.path, 'good-script');
        writeFileSync(good, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
        assert.equal(direct.plan(plain, baseEnv()), null);
        assert.equal(direct.plan(broken, baseEnv()), null);
        assert.equal(direct.plan(join(dir.path, 'missing'), baseEnv()), null);
        assert.equal(direct.plan('hcd-no-such-program-anywhere', baseEnv()), null);
        assert.deepEqual(direct.plan(good, baseEnv())?.argv, [good]);
      },
    );

    it('never skips a shell the operator chose, nor one the environment gives work', () => {
      const wrapper = join(dir.path, 'wrapper');
      writeFileSync(wrapper, `#!${shell}\nexec ${shell} "$@"\n`, { mode: 0o755 });
      assert.equal(
        createDirectExec({ shell: wrapper, env: baseEnv() }).plan('printenv HOME', baseEnv()),
        null,
      );
      const env = { ...baseEnv(), BASH_ENV: join(dir.path, 'env.sh') };
      assert.equal(
        createDirectExec({ shell, env, shellAllows: true }).plan('printenv HOME', env),
        null,
      );
    });

    it(
      'leaves a PATH with an empty or relative entry to the shell',
      { timeout: 20_000 },
      async () => {
        const direct = await readyPlanner(shell, baseEnv());
        for (const path of [':/usr/bin:/bin', 'bin:/usr/bin:/bin']) {
          const relative = createDirectExec({ shell, env: { PATH: path }, shellAllows: true });
          assert.equal(relative.plan('printenv HOME', { PATH: path }), null, path);
        }
        assert.ok(direct.plan('printenv HOME', baseEnv()));
      },
    );
  },
);
