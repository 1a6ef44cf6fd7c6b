import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  assertRootUnderCi,
  binPath,
  rootSkip,
  runCliChild,
  scratchDir,
} from '../support/cli-child.js';

/**
 * Case A-06: with `user =` and the daemon started as root, a check runs with that user's
 * HOME, USER, LOGNAME and SHELL from its passwd entry (as `runuser -l` and `sudo -H` set
 * them), not with root's: a client that reads ~/.my.cnf reads the user's own.
 */

function passwdEntry(user: string): string[] | null {
  const run = spawnSync('getent', ['passwd', user], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim().split(':') : null;
}

function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/** The environment of a root shell that starts the CLI: HOME, USER and LOGNAME are root's. */
function rootLikeEnv(home: string): NodeJS.ProcessEnv {
  return { ...process.env, HOME: home, USER: 'root', LOGNAME: 'root', SHELL: '/bin/bash' };
}

describe(
  'checks under `user =` get the user environment',
  { skip: rootSkip(), timeout: 120_000 },
  () => {
    const dir = scratchDir();
    before(() => {
      assertRootUnderCi();
      chmodSync(dir.path, 0o755);
      mkdirSync(join(dir.path, 'root-home'), { mode: 0o700 });
    });
    after(() => dir.cleanup());

    const configFor = (name: string, user: string, command: string): string => {
      const file = join(dir.path, `${name}.config`);
      writeFileSync(
        file,
        `[healthcheckd]\nport = 0\npiddir = ${dir.path}\nspool_dir = ${dir.path}/spool\n` +
          `user = ${user}\n[check:env]\ncommand = ${command}\n`,
        { mode: 0o644 },
      );
      return file;
    };

    it(
      'user nobody: HOME, USER, LOGNAME and SHELL come from the passwd entry',
      {
        timeout: 30_000,
      },
      async (t) => {
        const entry = passwdEntry('nobody');
        if (entry === null) {
          t.skip('no user nobody on this host');
          return;
        }
        const script = join(dir.path, 'show-env.sh');
        writeFileSync(script, '#!/bin/sh\necho "uid=$(id -u) $HOME|$USER|$LOGNAME|$SHELL"\n', {
          mode: 0o755,
        });
        const file = configFor('nobody', 'nobody', script);
        const result = await runCliChild(['check', file, '--json'], {
          env: rootLikeEnv(join(dir.path, 'root-home')),
          cwd: dir.path,
        });
        assert.equal(result.code, 0, result.stderr);
        const output = (JSON.parse(result.stdout) as { checks: { env: { output: string }[] } })
          .checks.env[0]?.output;
        const [, , uid, , , home, shell] = entry;
        assert.equal(output, `uid=${uid} ${home}|nobody|nobody|${shell}\n`);
      },
    );

    it(
      "the replica-lag example's ~/.my.cnf advice works: the client reads the user's own",
      {
        timeout: 30_000,
      },
      async (t) => {
        const missing = ['unshare', 'mount', 'my_print_defaults'].filter((tool) => !onPath(tool));
        if (missing.length > 0) {
          t.skip(`needs ${missing.join(', ')} (a mount namespace and the MariaDB/MySQL client)`);
          return;
        }
        // A user of our own, seen only inside a private mount namespace where a copy of
        // /etc/passwd that adds it is mounted over the real one: the host is not touched.
        const uid = 64_000 + (process.pid % 1000);
        if (passwdEntry(String(uid)) !== null) {
          t.skip(`uid ${uid} is taken on this host`);
          return;
        }
        const home = join(dir.path, 'reader-home');
        mkdirSync(home, { mode: 0o755 });
        writeFileSync(join(home, '.my.cnf'), '[client]\nuser = hcd_reader\n', { mode: 0o600 });
        chownSync(home, uid, uid);
        chownSync(join(home, '.my.cnf'), uid, uid);
        const passwd = join(dir.path, 'passwd');
        copyFileSync('/etc/passwd', passwd);
        writeFileSync(passwd, `hcdreader:x:${uid}:${uid}::${home}:/bin/sh\n`, { flag: 'a' });
        const file = configFor(
          'mycnf',
          'hcdreader',
          '"my_print_defaults client | grep -e --user="',
        );
        const inNamespace = [
          'mount --bind "$1" /etc/passwd || exit 90',
          `exec "$2" "$3" check "$4"`,
        ].join('\n');
        const run = (): string =>
          execFileSync(
            'unshare',
            ['-m', 'sh', '-c', inNamespace, 'sh', passwd, process.execPath, binPath, file],
            { env: rootLikeEnv(join(dir.path, 'root-home')), cwd: dir.path, encoding: 'utf8' },
          );
        let output: string;
        try {
          output = run();
        } catch (error) {
          const failed = error as { status?: number; stdout?: string; stderr?: string };
          if (failed.status === 90) {
            t.skip(`cannot mount in a new mount namespace here: ${failed.stderr ?? ''}`);
            return;
          }
          assert.fail(`check failed (exit ${failed.status}): ${failed.stdout}${failed.stderr}`);
        }
        assert.match(output, /^env\s+PASS\b/m);
        assert.match(output, /--user=hcd_reader/);
      },
    );
  },
);
