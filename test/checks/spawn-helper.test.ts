import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCommand, type CommandSpec } from '../../src/checks/command.js';
import { containmentFor } from '../../src/checks/containment.js';
import { createProcessTracker } from '../../src/checks/process-tracker.js';
import { openCgroupHome } from '../../src/checks/cgroup-runs.js';
import {
  bornIn,
  locateSpawnHelper,
  neverReadyStarts,
  replyParser,
  startSpawnHelper,
} from '../../src/checks/spawn-helper.js';
import { eventually, groupMembers, recordingTracker as recording } from '../support/checks.js';
import { alive, requireRoot } from '../support/processes.js';
import { tempDir } from '../support/paths.js';
import { builtHelper, helperSkipReason, readyHelper } from '../support/spawn-helper.js';

const spec = (command: string, overrides: Partial<CommandSpec> = {}): CommandSpec => ({
  command,
  shell: '/bin/sh',
  env: { ...process.env },
  warnExitCodes: [],
  ...overrides,
});

describe('the spawn helper reply stream', { timeout: 10_000 }, () => {
  it('gives the same replies however the bytes are cut', () => {
    const stream = Buffer.concat([
      Buffer.from('R healthcheckd-spawn-helper 1\nP 7 4242\nO 7 5\n'),
      Buffer.from('a\nb\nc'),
      Buffer.from('X 7 3 0\nD 7 12\nF 8 exec 2\n'),
    ]);
    const whole: unknown[] = [];
    replyParser((reply) => whole.push(reply))(stream);
    assert.deepEqual(
      whole.map((reply) => (reply as { type: string }).type),
      ['R', 'P', 'O', 'X', 'D', 'F'],
    );
    assert.deepEqual((whole[2] as { data: Buffer }).data.toString(), 'a\nb\nc');
    for (let size = 1; size <= 7; size += 1) {
      const cut: unknown[] = [];
      const parse = replyParser((reply) => cut.push(reply));
      for (let at = 0; at < stream.length; at += size) parse(stream.subarray(at, at + size));
      assert.deepEqual(cut, whole, `cut every ${size} bytes`);
    }
  });
});

describe('locating the spawn helper', { timeout: 10_000 }, () => {
  it('takes the first usable candidate for auto, the file named, or none for off', (t) => {
    const skip = helperSkipReason();
    if (skip) return t.skip(skip);
    assert.equal(locateSpawnHelper('auto', ['/nonexistent/helper', builtHelper]), builtHelper);
    assert.equal(locateSpawnHelper(builtHelper), builtHelper);
    assert.equal(locateSpawnHelper('/nonexistent/helper'), null);
    assert.equal(locateSpawnHelper('off', [builtHelper]), null);
    // A file the kernel cannot run as a program of this machine is not a helper.
    assert.equal(locateSpawnHelper('auto', ['/etc/passwd']), null);
  });
});

describe('a spawn helper that cannot run here', { timeout: 30_000 }, () => {
  it(`is given up after ${neverReadyStarts} starts that never said ready, with one warning`, async () => {
    const dir = tempDir('hcd-helper-');
    try {
      // A helper built against a newer C library than the host's fails like this, every time.
      const starts = join(dir.path, 'starts');
      const file = join(dir.path, 'helper');
      writeFileSync(file, `#!/bin/sh\necho started >> '${starts}'\nexit 127\n`);
      chmodSync(file, 0o755);
      const warnings: string[] = [];
      const helper = startSpawnHelper(file, { warn: (line) => warnings.push(line), restartMs: 10 });
      try {
        const given = (): boolean => warnings.some((line) => /never said it was ready/.test(line));
        assert.ok(await eventually(given), `not given up: ${warnings.join('\n')}`);
        const launches = (): number =>
          existsSync(starts) ? readFileSync(starts, 'utf8').split('\n').length - 1 : 0;
        assert.equal(launches(), neverReadyStarts);
        assert.match(
          warnings.at(-1) ?? '',
          /\(last: exit 127\): not started again; runs use Node spawn/,
        );
        // Long enough for a fourth start after the doubled waits (10, 20, 40 ms): none comes.
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(launches(), neverReadyStarts);
        assert.equal(helper.ready(), false);
      } finally {
        helper.close();
      }
    } finally {
      dir.cleanup();
    }
  });
});

describe('the spawn helper process', { timeout: 60_000, skip: helperSkipReason() ?? false }, () => {
  it('runs as the user and group asked, with no other groups', async (t) => {
    if (!requireRoot(t, 'switching to another user')) return;
    const helper = await readyHelper();
    try {
      const tracker = createProcessTracker({ containment: containmentFor('group')!, helper });
      const result = await runCommand(
        spec('ignored', { argv: ['sh', '-c', 'id -u; id -g; id -G'], uid: 65534, gid: 65534 }),
        5_000,
        tracker,
      );
      assert.equal(result.output, '65534\n65534\n65534\n');
    } finally {
      helper.close();
    }
  });

  it('starts a run inside its own cgroup', async (t) => {
    if (!requireRoot(t, 'a writable cgroup v2')) return;
    const containment = containmentFor('cgroup');
    if (containment === null) return t.skip('cgroup v2 is not writable here');
    const helper = await readyHelper();
    try {
      const tracker = createProcessTracker({ containment, helper });
      const result = await runCommand(
        spec('ignored', { argv: ['cat', '/proc/self/cgroup'] }),
        5_000,
        tracker,
      );
      const line = result.output.split('\n').find((entry) => entry.startsWith('0::'));
      assert.match(line ?? '', /\/healthcheckd\.\d+\.[0-9a-f]+\/run\.\d+$/);
    } finally {
      helper.close();
    }
  });

  it('proves a birth in a run cgroup without moving the daemon (bornIn)', async (t) => {
    if (!requireRoot(t, 'a writable cgroup v2')) return;
    const home = openCgroupHome(undefined, false);
    if (home === null) return t.skip('cgroup v2 is not writable here');
    const helper = await readyHelper();
    try {
      const run = home.newRun();
      assert.equal(await bornIn(helper, run.procs), true, 'born in a run cgroup');
      run.born();
      await run.whenEmpty();
      assert.ok(run.release(), 'the probe left nothing in it');
      // The helper's child cannot enter a cgroup that is not there: it says so, at that step.
      assert.equal(await bornIn(helper, '/nonexistent/cgroup.procs'), false);
    } finally {
      helper.close();
      home.close();
    }
  });

  it('bornIn: a program that never answers as the helper gives no proof either way', async () => {
    const cat = startSpawnHelper('/bin/cat', { readyMs: 60_000 });
    try {
      assert.equal(await bornIn(cat, '/nonexistent/cgroup.procs', 300), null);
    } finally {
      cat.close();
    }
  });

  it('kills the groups of its runs when the daemon closes its pipe', async () => {
    const helper = await readyHelper();
    const { tracker, pgids } = recording(
      createProcessTracker({ containment: containmentFor('group')!, helper }),
    );
    const running = runCommand(spec('sleep 30 & sleep 30'), 20_000, tracker);
    const pgid = await firstGroup(pgids);
    helper.close();
    assert.ok(await eventually(() => groupMembers(pgid).length === 0), 'its group is gone');
    const result = await running;
    assert.equal(result.status, 'fail', 'a run cut short never passes');
  });

  it('fails the runs it had when it dies, and is started again', async () => {
    const warnings: string[] = [];
    const helper = startSpawnHelper(builtHelper, {
      warn: (line) => warnings.push(line),
      restartMs: 100,
    });
    try {
      assert.ok(await eventually(() => helper.ready()), 'ready');
      const { tracker, pgids } = recording(
        createProcessTracker({ containment: containmentFor('group')!, helper }),
      );
      const running = runCommand(spec('sleep 30 & sleep 30'), 20_000, tracker);
      const pgid = await firstGroup(pgids);
      const [helperPid] = helperPids();
      assert.ok(helperPid !== undefined);
      process.kill(helperPid, 'SIGKILL');
      const result = await running;
      assert.equal(result.status, 'fail');
      assert.match(
        result.output,
        /\[the spawn helper ended during the run; its processes were killed\]/,
      );
      assert.ok(await eventually(() => groupMembers(pgid).length === 0), 'its group was killed');
      assert.match(warnings.join('\n'), /spawn helper .* ended \(SIGKILL\)/);
      assert.ok(await eventually(() => helper.ready() && !alive(helperPid)), 'started again');
      const again = await runCommand(spec('true'), 5_000, tracker);
      assert.equal(again.status, 'pass');
    } finally {
      helper.close();
    }
  });
});

async function firstGroup(pgids: readonly number[]): Promise<number> {
  assert.ok(await eventually(() => pgids.length === 1), 'the run started');
  const [pgid] = pgids;
  assert.ok(pgid !== undefined && groupMembers(pgid).length > 0, 'its group runs');
  return pgid;
}

function helperPids(): number[] {
  return processes()
    .filter(([, cmd]) => cmd.includes('healthcheckd-spawn-helper') && cmd.includes(builtHelper))
    .map(([pid]) => pid);
}

function processes(): [number, string][] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name): [number, string][] => {
      try {
        return [
          [Number(name), readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ')],
        ];
      } catch {
        return [];
      }
    });
}
