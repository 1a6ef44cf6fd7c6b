import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkCredentials,
  parsePasswdLine,
  userEnvironment,
} from '../../src/checks/credentials.js';
import { HealthcheckdError } from '../../src/errors.js';

const nobody = 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin';

describe('parsePasswdLine', { timeout: 30_000 }, () => {
  it('reads ids, name, home and shell', () => {
    assert.deepEqual(parsePasswdLine(`${nobody}\n`), {
      uid: 65534,
      gid: 65534,
      name: 'nobody',
      home: '/nonexistent',
      shell: '/usr/sbin/nologin',
    });
  });

  it('fills an empty home and shell as login does, and refuses what is not an entry', () => {
    assert.deepEqual(parsePasswdLine('svc:x:990:990:::'), {
      uid: 990,
      gid: 990,
      name: 'svc',
      home: '/',
      shell: '/bin/sh',
    });
    assert.equal(parsePasswdLine('svc:x:abc:990::/:/bin/sh'), null);
    assert.equal(parsePasswdLine('not a passwd line'), null);
  });
});

describe('checkCredentials', { timeout: 30_000 }, () => {
  it('is null without user, and for a daemon that is not root', () => {
    assert.equal(
      checkCredentials(null, true, () => nobody),
      null,
    );
    assert.equal(
      checkCredentials('nobody', false, () => nobody),
      null,
    );
  });

  it('gives the passwd entry of the user', () => {
    const seen: string[] = [];
    const found = checkCredentials('nobody', true, (user) => (seen.push(user), nobody));
    assert.deepEqual(seen, ['nobody']);
    assert.equal(found?.home, '/nonexistent');
  });

  it('refuses a user that does not exist as a configuration error', () => {
    assert.throws(
      () => checkCredentials('ghost', true, () => null),
      (error: unknown) =>
        error instanceof HealthcheckdError &&
        error.code === 'E_CONFIG' &&
        /user "ghost" does not exist/.test(error.message),
    );
  });

  it('looks a real user up through NSS', { skip: process.platform !== 'linux' }, () => {
    const root = checkCredentials('root', true);
    assert.equal(root?.uid, 0);
    assert.equal(root?.name, 'root');
    assert.equal(checkCredentials('0', true)?.name, 'root');
  });
});

describe('userEnvironment', { timeout: 30_000 }, () => {
  it('sets HOME, USER, LOGNAME and SHELL from the entry, as runuser -l does', () => {
    const entry = parsePasswdLine(nobody);
    assert.ok(entry);
    assert.deepEqual(userEnvironment(entry), {
      HOME: '/nonexistent',
      USER: 'nobody',
      LOGNAME: 'nobody',
      SHELL: '/usr/sbin/nologin',
    });
  });
});
