import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { httpRequest, requireProgram, tempDir } from '../support/daemon.js';
import { allProcesses } from '../support/processes.js';
import { repoRoot } from '../support/paths.js';
import { eventually } from '../support/wait.js';
import { executable, requireArtifact, seaHelper } from './artifacts.js';

const skip =
  requireArtifact(executable, 'npm run build:sea', true) ||
  requireProgram('tini') ||
  requireProgram('unshare');

/**
 * What the container runs (the Dockerfile's ENTRYPOINT: tini, then the single executable),
 * run here as the container would: tini as PID 1 of a PID namespace of its own. CI cannot pull
 * a base image, so this is the image's process tree without the image.
 */
describe('the container: tini plus the single executable', { skip, timeout: 120_000 }, () => {
  const dir = tempDir('hcd-container-');
  after(() => dir.cleanup());

  it('is what the Dockerfile and the Kubernetes example run', () => {
    const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
    assert.match(
      dockerfile,
      /^ENTRYPOINT \["\/usr\/bin\/tini", "--", "\/usr\/bin\/healthcheckd"\]$/m,
    );
    assert.match(
      dockerfile,
      /^COPY build\/sea\/healthcheckd-linux-\$\{ARCH\} \/usr\/bin\/healthcheckd$/m,
    );
    // Beside the executable: the first place it looks for the helper.
    assert.match(
      dockerfile,
      /^COPY build\/sea\/healthcheckd-spawn-helper \/usr\/bin\/healthcheckd-spawn-helper$/m,
    );
    const yaml = readFileSync(join(repoRoot, 'examples', 'kubernetes.yaml'), 'utf8');
    assert.match(yaml, /^ {10}args: \['run', /m, 'args keep the image entrypoint (tini)');
    assert.doesNotMatch(yaml, /^ {10}command: \['healthcheckd'/m);
  });

  it('starts checks through the helper beside it, reaps the orphans of its checks, answers probes and stops on SIGTERM', async () => {
    const config = join(dir.path, 'container.config');
    // Each run leaves a background process behind that outlives its parent shell: an orphan.
    writeFileSync(
      config,
      [
        '[healthcheckd]',
        'port = 0',
        'bind = 127.0.0.1',
        `pidfile = ${join(dir.path, 'c.pid')}`,
        `spool_dir = ${join(dir.path, 'spool')}`,
        `command = "sh -c 'sleep 0.2 &' ; setsid sleep 0.3 & true"`,
        '',
      ].join('\n'),
    );
    const child = spawn(
      'unshare',
      ['--pid', '--fork', '--mount-proc', '--kill-child', 'tini', '--', executable, 'run', config],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      assert.ok(await eventually(() => /listening on/.test(log), 20_000), log);
      const port = Number(/listening on http:\/\/[^\s"]*:(\d+)/.exec(log)?.[1]);
      // Runs start through the helper beside the executable; their orphans still go to tini.
      assert.ok(log.includes(`"spawner":"${seaHelper}"`), `the start line names no helper: ${log}`);
      for (let i = 0; i < 10; i += 1) assert.equal((await httpRequest(port)).status, 200);
      const tini = allProcesses().find(
        (stat) => stat.ppid === child.pid && readComm(stat.pid) === 'tini',
      );
      assert.ok(tini, 'tini runs as the child of unshare');
      const zombiesUnder = (): number =>
        allProcesses().filter((stat) => stat.state === 'Z' && descendsFrom(stat.ppid, tini.pid))
          .length;
      assert.ok(
        await eventually(() => zombiesUnder() === 0, 10_000),
        `zombies left under tini: ${zombiesUnder()}`,
      );
      // As `docker stop` does: SIGTERM to PID 1 (unshare itself ignores it while it waits).
      process.kill(tini.pid, 'SIGTERM');
      assert.equal(await exited, 0, log);
      assert.match(log, /stopped/);
    } finally {
      // --kill-child: unshare's death takes the namespace down with it.
      child.kill('SIGKILL');
    }
  });
});

function readComm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** True when `pid` is `ancestor` or one of its descendants. */
function descendsFrom(pid: number, ancestor: number): boolean {
  const parents = new Map(allProcesses().map((stat) => [stat.pid, stat.ppid]));
  for (let at: number | undefined = pid; at !== undefined && at > 1; at = parents.get(at)) {
    if (at === ancestor) return true;
  }
  return false;
}
