import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { directArgv } from '../../src/checks/direct-exec.js';

describe('directArgv', { timeout: 30_000 }, () => {
  it('executes plain words directly', () => {
    assert.deepEqual(directArgv('true'), ['true']);
    assert.deepEqual(directArgv('/usr/lib/check-disk --min 10% /var'), [
      '/usr/lib/check-disk',
      '--min',
      '10%',
      '/var',
    ]);
    assert.deepEqual(directArgv('  test -d /tmp  '), ['test', '-d', '/tmp']);
  });

  it('leaves anything with shell syntax to the shell', () => {
    for (const command of [
      'test ${RANDOM: -1} -ge 5',
      'echo $HOME',
      'a | b',
      'a && b',
      'sleep 1 &',
      'echo "quoted"',
      "echo 'quoted'",
      'ls *.txt',
      'cat < in',
      'echo hi > out',
      'echo `date`',
      'echo ~',
      'a\tb',
      'echo a\\ b',
      'a;b',
    ]) {
      assert.equal(directArgv(command), null, command);
    }
  });

  it('leaves shell builtins and keywords without a program of their own to the shell', () => {
    for (const command of [
      'exit 1',
      'cd /tmp',
      'export A',
      'read x',
      'ulimit -n',
      'if',
      'source f',
      '. f',
    ]) {
      assert.equal(directArgv(command), null, command);
    }
  });

  it('leaves variable assignments and empty commands to the shell', () => {
    assert.equal(directArgv('A=1 env'), null);
    assert.equal(directArgv(''), null);
    assert.equal(directArgv('   '), null);
  });
});
