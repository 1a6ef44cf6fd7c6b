import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpRequest, requireProgram, tempDir } from '../support/daemon.js';
import { executable, pathWithoutNode, requireArtifact, seaHelper, version } from './artifacts.js';

const skip = requireArtifact(executable, 'npm run build:sea');

/**
 * The single executable on a host without Node: PATH holds the shell and the tools a check
 * uses, and no `node`. Each run is the real file, started as an operator would.
 */
describe('the single executable', { skip, timeout: 120_000 }, () => {
  const dir = tempDir('hcd-sea-');
  let bin: ReturnType<typeof pathWithoutNode>;
  let env: NodeJS.ProcessEnv;
  before(() => {
    bin = pathWithoutNode(['bash', 'sh', 'true', 'sleep', 'cat', 'printf', 'df', 'awk']);
    env = { PATH: bin.path, HOME: dir.path, LANG: 'C.UTF-8' };
  });
  after(() => {
    bin?.cleanup();
    dir.cleanup();
  });
  const run = (args: readonly string[]) =>
    spawnSync(executable, args, { env, encoding: 'utf8', timeout: 30_000 });

  it('is one executable file, with the spawn helper beside it, and finds no node on its PATH', () => {
    assert.ok(statSync(executable).mode & 0o111);
    assert.ok(statSync(seaHelper).mode & 0o111, `${seaHelper} is not executable`);
    const probe = spawnSync('bash', ['-c', 'command -v node || echo none'], {
      env,
      encoding: 'utf8',
    });
    assert.equal(probe.stdout.trim(), 'none');
    const result = run(['--version']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), version);
  });

  it('runs checks once as the npm build does: lines, reasons, exit codes', () => {
    const result = run(['check', '--command', 'true', '--command', 'exit 2']);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stdout, /^command-1 +PASS/m);
    assert.match(result.stdout, /^command-2 +FAIL/m);
    const bad = run(['validate', join(dir.path, 'missing.config')]);
    assert.equal(bad.status, 78);
    assert.match(bad.stderr, /cannot read config file/);
  });

  it('starts checks through the helper beside it; serves HTTP, health+json, the page and metrics; reloads on SIGHUP; stops on SIGTERM', async () => {
    const config = join(dir.path, 'sea.config');
    const write = (command: string): void =>
      writeFileSync(
        config,
        `[healthcheckd]\nport = 0\nbind = 127.0.0.1\npidfile = ${join(dir.path, 'sea.pid')}\nspool_dir = ${join(dir.path, 'spool')}\ncommand = "${command}"\n`,
      );
    write('true');
    const { spawn } = await import('node:child_process');
    const child = spawn(executable, ['run', config], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start line: ${err}`)), 20_000);
        child.stderr.on('data', () => {
          const match = /listening on http:\/\/[^\s"]*:(\d+)/.exec(err);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
      });
      assert.ok(err.includes(`"spawner":"${seaHelper}"`), `the start line names no helper: ${err}`);
      assert.equal((await httpRequest(port)).body, 'OK');
      const json = await httpRequest(port, { path: '/?format=json' });
      assert.equal((JSON.parse(json.body) as { status: string }).status, 'pass');
      const page = await httpRequest(port, { headers: { accept: 'text/html' } });
      assert.match(page.body, /^<!doctype html>/);
      assert.match((await httpRequest(port, { path: '/metrics' })).body, /healthcheckd_/);
      if (!requireProgram('curl')) {
        const curl = spawnSync('curl', ['-sI', `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
        assert.match(curl.stdout, /^HTTP\/1\.1 200 OK/);
      }
      write('exit 2');
      child.kill('SIGHUP');
      const deadline = Date.now() + 20_000;
      let status = 200;
      while (status !== 503 && Date.now() < deadline) {
        status = (await httpRequest(port)).status;
        if (status !== 503) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(status, 503, `no reload: ${err}`);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, err);
      assert.match(err, /stopped/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
