import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { freePort, httpRequest, requireProgram } from '../support/daemon.js';
import { descendantsOf } from '../support/processes.js';
import { debianPackage, requireArtifact } from './artifacts.js';

const skip =
  requireArtifact(debianPackage, 'npm run package:deb', true) ||
  requireProgram('dpkg') ||
  requireProgram('setpriv');

/** Where the package installs the spawn helper, the daemon's second place to look. */
const helper = '/usr/libexec/healthcheckd/spawn-helper';

function sh(program: string, args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(program, args, { encoding: 'utf8', timeout: 120_000 });
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  assert.equal(result.status, 0, `${what}: ${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Whether the packaged check (the root filesystem under 98 % full) passes on this host. */
function rootFsHasRoom(): boolean {
  const df = sh('df', ['-P', '/']).stdout.split('\n')[1] ?? '';
  return Number.parseInt(df.split(/\s+/)[4] ?? '100', 10) < 98;
}

/** The program file of a running process, or null when it is gone. */
function programOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

/** The highest GLIBC_x.y symbol version an ELF file asks for, from `objdump -T`. */
function glibcNeeded(file: string): string {
  const text = ok(sh('objdump', ['-T', file]), 'objdump -T');
  const versions = new Set([...text.matchAll(/GLIBC_([\d.]+)/g)].map((match) => match[1] ?? '0'));
  const newer = (a: string, b: string): boolean =>
    sh('dpkg', ['--compare-versions', a, 'gt', b]).status === 0;
  return [...versions].reduce((max, version) => (newer(version, max) ? version : max), '0');
}

/**
 * The Debian package on this host, as an operator installs it: `dpkg -i`, the daemon started
 * as its unit starts it, `curl -I`, `down`/`up` with the packaged paths, then `dpkg -r` and
 * `dpkg -P`. Needs root; CI runs it (and builds the package first).
 */
describe('the Debian package', { skip, timeout: 600_000 }, () => {
  let files: string[] = [];
  before(() => {
    sh('dpkg', ['--purge', 'healthcheckd']);
    ok(sh('dpkg', ['-i', debianPackage]), 'dpkg -i');
    files = ok(sh('dpkg', ['-L', 'healthcheckd']), 'dpkg -L')
      .split('\n')
      .filter(Boolean);
  });
  after(() => void sh('dpkg', ['--purge', 'healthcheckd']));

  it('installs the executable, the helper, the conffile, the unit, the man page, the docs and a system user', () => {
    assert.ok(statSync('/usr/bin/healthcheckd').mode & 0o111);
    assert.ok(files.includes(helper), `${helper} not in the package`);
    const helperStat = statSync(helper);
    assert.equal(helperStat.mode & 0o7777, 0o755);
    assert.equal(helperStat.uid, 0);
    assert.equal(helperStat.gid, 0);
    assert.match(ok(sh('/usr/bin/healthcheckd', ['--version']), '--version'), /^\d+\.\d+\.\d+/);
    const conffiles = ok(sh('dpkg-query', ['-W', '-f=${Conffiles}', 'healthcheckd']), 'conffiles');
    assert.match(conffiles, /\/etc\/healthcheckd\.config [0-9a-f]{32}/);
    ok(sh('/usr/bin/healthcheckd', ['validate', '/etc/healthcheckd.config']), 'validate');
    assert.match(readFileSync('/etc/healthcheckd.config', 'utf8'), /^bind = 127\.0\.0\.1/m);
    for (const path of [
      '/lib/systemd/system/healthcheckd.service',
      '/usr/share/man/man1/healthcheckd.1.gz',
      '/usr/share/doc/healthcheckd/copyright',
      '/usr/share/doc/healthcheckd/examples/haproxy.cfg',
      '/usr/share/bash-completion/completions/healthcheckd',
    ]) {
      assert.ok(files.includes(path), `${path} not in the package`);
      assert.ok(existsSync(path), `${path} not installed`);
    }
    const user = ok(sh('getent', ['passwd', 'healthcheckd']), 'getent').split(':');
    assert.equal(user[5], '/var/lib/healthcheckd');
    assert.equal(user[6]?.trim(), '/usr/sbin/nologin');
    const spool = statSync('/var/spool/healthcheckd');
    assert.equal(spool.mode & 0o777, 0o755);
    assert.equal(spool.uid, 0);
  });

  it(
    'has a unit that systemd-analyze verify accepts',
    { skip: requireProgram('systemd-analyze') },
    () => {
      const result = sh('systemd-analyze', ['verify', '/lib/systemd/system/healthcheckd.service']);
      assert.equal(result.status, 0, result.stderr);
      assert.doesNotMatch(result.stderr, /healthcheckd\.service/);
    },
  );

  it(
    'depends on the libc6 its spawn helper needs, the one library the helper links',
    { skip: requireProgram('objdump') },
    () => {
      const needed = [
        ...ok(sh('objdump', ['-p', helper]), 'objdump -p').matchAll(/NEEDED\s+(\S+)/g),
      ].map((match) => match[1]);
      assert.deepEqual(needed, ['libc.so.6']);
      const depends = ok(sh('dpkg-query', ['-W', '-f=${Depends}', 'healthcheckd']), 'Depends');
      const libc = /(?:^|, )libc6 \(>= ([\d.]+)\)/.exec(depends)?.[1];
      assert.ok(libc, `no versioned libc6 in Depends: ${depends}`);
      const symbols = glibcNeeded(helper);
      assert.equal(
        sh('dpkg', ['--compare-versions', libc, 'ge', symbols]).status,
        0,
        `Depends has libc6 (>= ${libc}); ${helper} needs GLIBC_${symbols}`,
      );
    },
  );

  it('gets no lintian error', { skip: requireProgram('lintian') }, () => {
    const result = sh('lintian', ['--tag-display-limit', '0', debianPackage]);
    const errors = `${result.stdout}${result.stderr}`
      .split('\n')
      .filter((line) => line.startsWith('E:'));
    assert.deepEqual(errors, []);
  });

  it('runs as its unit runs it, starts checks through the helper, answers curl -I, follows down/up', async () => {
    // As systemd would: RuntimeDirectory=healthcheckd, User=healthcheckd, a bare environment.
    ok(
      sh('install', ['-d', '-o', 'healthcheckd', '-g', 'healthcheckd', '/run/healthcheckd']),
      'install -d',
    );
    const port = await freePort();
    const daemon = spawn(
      'setpriv',
      [
        '--reuid=healthcheckd',
        '--regid=healthcheckd',
        '--init-groups',
        '--',
        '/usr/bin/healthcheckd',
        '/etc/healthcheckd.config',
        '--port',
        String(port),
      ],
      {
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let log = '';
    daemon.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => daemon.once('exit', resolve));
    try {
      const deadline = Date.now() + 20_000;
      while (!/listening on/.test(log) && Date.now() < deadline && daemon.exitCode === null)
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.match(log, /listening on http:\/\/127\.0\.0\.1:/);
      assert.ok(log.includes(`"spawner":"${helper}"`), `the start line names no helper: ${log}`);
      assert.ok(
        descendantsOf(daemon.pid ?? -1).some((stat) => programOf(stat.pid) === helper),
        `no ${helper} process under the daemon`,
      );
      const expected = rootFsHasRoom() ? '200 OK' : '503 Service Unavailable';
      const curl = (): string =>
        ok(sh('curl', ['-sI', `http://127.0.0.1:${port}/`]), 'curl -I').split('\r\n')[0] ?? '';
      assert.equal(curl(), `HTTP/1.1 ${expected}`);
      ok(
        sh('/usr/bin/healthcheckd', [
          'down',
          '/etc/healthcheckd.config',
          '--reason',
          'package test',
        ]),
        'down',
      );
      const flag = lstatSync('/var/spool/healthcheckd/all');
      assert.equal(flag.mode & 0o777, 0o644);
      const down = await httpRequest(port);
      assert.equal(down.status, 503);
      assert.equal(down.body, 'MAINTENANCE: package test');
      ok(sh('/usr/bin/healthcheckd', ['up', '/etc/healthcheckd.config']), 'up');
      assert.equal(curl(), `HTTP/1.1 ${expected}`);
      assert.ok(existsSync(`/run/healthcheckd/healthcheckd-${port}.pid`));
      daemon.kill('SIGTERM');
      assert.equal(await exited, 0, log);
      assert.equal(existsSync(`/run/healthcheckd/healthcheckd-${port}.pid`), false);
    } finally {
      daemon.kill('SIGKILL');
    }
  });

  it('is removed by dpkg -r (conffile kept) and purged by dpkg -P (nothing left but the user)', () => {
    ok(sh('dpkg', ['-r', 'healthcheckd']), 'dpkg -r');
    assert.equal(existsSync('/usr/bin/healthcheckd'), false);
    assert.equal(existsSync(helper), false, `${helper} left after dpkg -r`);
    assert.equal(existsSync('/usr/libexec/healthcheckd'), false, 'its directory too');
    assert.equal(existsSync('/etc/healthcheckd.config'), true, 'a conffile stays until purge');
    ok(sh('dpkg', ['-P', 'healthcheckd']), 'dpkg -P');
    const left = files.filter((path) => existsSync(path) && !statSync(path).isDirectory());
    assert.deepEqual(left, []);
    for (const path of [
      '/etc/healthcheckd.config',
      '/var/spool/healthcheckd',
      '/var/lib/healthcheckd',
    ])
      assert.equal(existsSync(path), false, `${path} left after purge`);
    assert.equal(sh('dpkg-query', ['-W', 'healthcheckd']).status, 1);
    // Debian policy keeps a system user on purge: files it owned may remain elsewhere.
    assert.equal(sh('getent', ['passwd', 'healthcheckd']).status, 0);
  });
});
