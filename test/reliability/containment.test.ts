import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCommand, type CommandSpec } from '../../src/checks/command.js';
import { containmentFor, type ContainMode } from '../../src/checks/containment.js';
import { createProcessTracker } from '../../src/checks/process-tracker.js';
import { eventually, fixtures } from '../support/checks.js';
import {
  killAll,
  processesWithEnv,
  requireRoot,
  startNode,
  zombieChildren,
  type Started,
} from '../support/processes.js';

const bash = '/bin/bash';
let serial = 0;

/** A spec whose processes carry a unique HEALTHCHECKD_CHECK, so /proc scans find only them. */
function tagged(command: string, overrides: Partial<CommandSpec> = {}): [CommandSpec, string] {
  serial += 1;
  const entry = `HEALTHCHECKD_CHECK=contain-${process.pid}-${serial}`;
  const env = { ...process.env, HEALTHCHECKD_CHECK: entry.split('=')[1] };
  return [{ command, shell: bash, env, warnExitCodes: [], ...overrides }, entry];
}

/** The mechanisms that catch what leaves the process group: root only. */
function wholeModes(t: TestContext): ContainMode[] {
  if (!requireRoot(t, 'a cgroup or PID namespace per run')) return [];
  const modes = (['cgroup', 'pidns'] as const).filter((mode) => containmentFor(mode));
  assert.ok(modes.length > 0, 'as root, cgroup v2 or PID namespaces are available');
  return modes;
}

const escapes: [string, string][] = [
  ['a new session (setsid)', 'setsid sleep 300 </dev/null >/dev/null 2>&1 & echo started'],
  ['a bash job-control job (set -m)', 'set -m; sleep 300 >/dev/null 2>&1 & echo started'],
  ['a double-forking daemoniser', `${join(fixtures, 'daemonise.sh')} 300`],
];

describe('containment: descendants that leave the process group', { timeout: 120_000 }, () => {
  for (const [what, command] of escapes) {
    it(`${what} does not outlive its run`, { timeout: 60_000 }, async (t) => {
      for (const mode of wholeModes(t)) {
        const tracker = createProcessTracker({ containment: containmentFor(mode)! });
        const [spec, entry] = tagged(command);
        const result = await runCommand(spec, 10_000, tracker);
        try {
          assert.equal(result.status, 'pass', `${mode}: ${result.output}`);
          assert.equal(result.timedOut, false);
          assert.ok(
            await eventually(() => processesWithEnv(entry).length === 0, 5_000),
            `${mode}: left alive: ${processesWithEnv(entry).join(' ')}`,
          );
          assert.ok(await eventually(() => tracker.size() === 0), `${mode}: still tracked`);
        } finally {
          killAll(processesWithEnv(entry));
        }
      }
    });
  }

  it('a descendant in a new session does not outlive a timeout', { timeout: 60_000 }, async (t) => {
    for (const mode of wholeModes(t)) {
      const tracker = createProcessTracker({ containment: containmentFor(mode)! });
      const [spec, entry] = tagged('setsid -w sleep 300');
      const started = Date.now();
      const result = await runCommand(spec, 500, tracker);
      try {
        assert.equal(result.timedOut, true, `${mode}: ${result.output}`);
        assert.ok(Date.now() - started < 5_000, `${mode}: answered at the timeout`);
        assert.ok(
          await eventually(() => processesWithEnv(entry).length === 0, 5_000),
          `${mode}: left alive after the timeout: ${processesWithEnv(entry).join(' ')}`,
        );
      } finally {
        killAll(processesWithEnv(entry));
      }
    }
  });

  it(
    'killAll (the daemon stopping) kills escaped descendants of runs in flight',
    {
      timeout: 60_000,
    },
    async (t) => {
      for (const mode of wholeModes(t)) {
        const tracker = createProcessTracker({ containment: containmentFor(mode)! });
        const [spec, entry] = tagged('setsid sleep 300 </dev/null >/dev/null 2>&1 & sleep 300');
        const running = runCommand(spec, 60_000, tracker);
        try {
          assert.ok(
            await eventually(() => processesWithEnv(entry).length >= 2),
            `${mode}: started`,
          );
          tracker.killAll();
          const result = await running;
          assert.equal(result.status, 'fail');
          assert.ok(
            await eventually(() => processesWithEnv(entry).length === 0, 5_000),
            `${mode}: left alive after killAll: ${processesWithEnv(entry).join(' ')}`,
          );
        } finally {
          killAll(processesWithEnv(entry));
        }
      }
    },
  );

  it('keeps the command’s own exit code, signal and user', { timeout: 60_000 }, async (t) => {
    for (const mode of wholeModes(t)) {
      const tracker = createProcessTracker({ containment: containmentFor(mode)! });
      const [exit3] = tagged('exit 3', { warnExitCodes: [3] });
      assert.deepEqual(
        pick(await runCommand(exit3, 10_000, tracker)),
        { status: 'warn', exitCode: 3, signal: null },
        mode,
      );
      const [segv] = tagged('kill -SEGV $$');
      assert.deepEqual(
        pick(await runCommand(segv, 10_000, tracker)),
        { status: 'fail', exitCode: null, signal: 'SIGSEGV' },
        mode,
      );
      const [who] = tagged('echo "$(id -u) $(id -g) $(id -G)"', { uid: 65534, gid: 65534 });
      const result = await runCommand(who, 10_000, tracker);
      assert.equal(result.output, '65534 65534 65534\n', `${mode}: no supplementary groups`);
    }
  });
});

function pick(result: { status: string; exitCode: number | null; signal: string | null }) {
  return { status: result.status, exitCode: result.exitCode, signal: result.signal };
}

describe('containment: the daemon', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcd-contain-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function config(name: string, checks: string): string {
    const path = join(dir, `${name}.config`);
    const head = `[healthcheckd]\nport = 0\nbind = 127.0.0.1\npiddir = ${dir}\npidfile = ${name}.pid\n`;
    writeFileSync(path, `${head}spool_dir = ${join(dir, `${name}-spool`)}\n${checks}`);
    return path;
  }

  it('after it stops, no process of a check it ran is alive', { timeout: 60_000 }, async (t) => {
    if (!requireRoot(t, 'a cgroup or PID namespace per run')) return;
    const tag = `stop-${process.pid}`;
    const path = config(
      tag,
      `[check:${tag}]\ncommand = "setsid sleep 300 </dev/null >/dev/null 2>&1 & sleep 300"\ntimeout = 60s\ninterval = 60s\n`,
    );
    const entry = `HEALTHCHECKD_CHECK=${tag}`;
    const daemon = startNode(['run', path]);
    try {
      await daemon.waitFor(/listening on/);
      assert.ok(await eventually(() => processesWithEnv(entry).length >= 2, 10_000), 'run started');
      daemon.child.kill('SIGTERM');
      await daemon.exited;
      assert.ok(
        await eventually(() => processesWithEnv(entry).length === 0, 5_000),
        `left alive after the daemon stopped: ${processesWithEnv(entry).join(' ')}`,
      );
    } finally {
      daemon.child.kill('SIGKILL');
      killAll(processesWithEnv(entry));
    }
  });

  it(
    'as PID 1 of a PID namespace, leaves no zombie after 10 runs',
    { timeout: 60_000 },
    async (t) => {
      if (!requireRoot(t, 'unshare --pid stands in for a container')) return;
      const tag = `pid1-${process.pid}`;
      const path = config(tag, `[check:${tag}]\ncommand = "sleep 5 >/dev/null 2>&1 & echo ok"\n`);
      const ns = ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc'];
      const daemon = startNode(['run', path], ns);
      try {
        const port = Number((await daemon.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
        const pid1 = await eventually(() => childOf(daemon.child.pid!) !== null, 5_000);
        assert.ok(pid1, 'the daemon runs inside the namespace');
        const inside = childOf(daemon.child.pid!)!;
        for (let run = 0; run < 10; run += 1) {
          assert.equal(await get(port), 200);
          await sleep(50);
        }
        await sleep(1_000);
        assert.deepEqual(
          zombieChildren(inside).map((stat) => stat.pid),
          [],
          'zombie children of the daemon',
        );
        assert.doesNotMatch(daemon.stderr(), /is PID 1 and cannot/, 'it could contain its runs');
      } finally {
        await stopInside(daemon);
      }
    },
  );
  it(
    'as PID 1 unable to make PID namespaces, says at start in one line what to run it under',
    {
      timeout: 60_000,
    },
    async (t) => {
      if (!requireRoot(t, 'unshare --pid stands in for a container')) return;
      const tag = `pid1-notice-${process.pid}`;
      const path = config(tag, `[check:${tag}]\ncommand = true\n`);
      // Without unshare on its PATH the daemon cannot make PID namespaces.
      const ns = [
        'unshare',
        '--pid',
        '--fork',
        '--kill-child',
        '--mount-proc',
        'env',
        'PATH=/nonexistent',
      ];
      const daemon = startNode(['run', path], ns);
      try {
        await daemon.waitFor(/listening on/);
        const lines = daemon.stderr().split('\n');
        const notices = lines.filter((line) => line.includes('PID 1'));
        assert.equal(notices.length, 1, daemon.stderr());
        assert.match(
          notices[0]!,
          /\bWARN\b.*PID 1 without PID namespaces.*tini.*docker run --init.*shareProcessNamespace: true/,
        );
        assert.ok(
          lines.indexOf(notices[0]!) < lines.findIndex((line) => /listening on/.test(line)),
        );
      } finally {
        await stopInside(daemon);
      }
    },
  );
});

/**
 * Stops a daemon started under `unshare --fork`: SIGTERM to the daemon inside (unshare blocks
 * SIGTERM), SIGKILL to all after 5 s.
 */
async function stopInside(daemon: Started): Promise<void> {
  const inside = childOf(daemon.child.pid!);
  if (inside !== null) killQuietly(inside, 'SIGTERM');
  await Promise.race([daemon.exited, sleep(5_000)]);
  daemon.child.kill('SIGKILL');
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

/** The first child of `pid` (the daemon, inside `unshare --fork`), or null. */
function childOf(pid: number): number | null {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0];
    return first ? Number(first) : null;
  } catch {
    return null;
  }
}

function get(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(10_000, () => req.destroy());
    req.on('error', () => resolve(-1));
    req.end();
  });
}
