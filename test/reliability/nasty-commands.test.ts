import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { daemonConfig, type RunningDaemon, startDaemon, stopDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { tempDir } from '../support/paths.js';
import { killAll, processesWithEnv, uniqueTag } from '../support/processes.js';
import { eventually } from '../support/wait.js';

/** The health+json entry of one check, as far as these tests read it. */
interface Entry {
  readonly status: string;
  readonly exitCode: number | null;
  readonly signal?: string;
  readonly timedOut?: boolean;
  readonly output?: string;
}

interface Probe {
  readonly status: number;
  readonly entry: Entry;
  readonly tookMs: number;
}

const checks = {
  big: { command: 'head -c 20000000 /dev/urandom', timeout: '30s' },
  closesStdout: { command: '"exec 1>&- ; sleep 0.2; exit 0"', timeout: '60s' },
  closesBoth: { command: '"exec 1>&- 2>&-; sleep 120"', timeout: '1s' },
  ignoresTerm: { command: `"trap '' TERM; sleep 120"`, timeout: '500ms' },
  segfaults: { command: 'kill -SEGV $$', timeout: '60s' },
} as const;

type Kind = keyof typeof checks;

describe('commands that misbehave get a correct, bounded answer', { timeout: 60_000 }, () => {
  const dir = tempDir('hcd-nasty-');
  const names = Object.fromEntries(
    Object.keys(checks).map((kind) => [kind, uniqueTag(kind)]),
  ) as Record<Kind, string>;
  const markers = Object.values(names).map((name) => `HEALTHCHECKD_CHECK=${name}`);
  let daemon: RunningDaemon | undefined;

  before(async () => {
    const sections = (Object.keys(checks) as Kind[]).map(
      (kind) =>
        `[check:${names[kind]}]\ncommand = ${checks[kind].command}\ntimeout = ${checks[kind].timeout}\n`,
    );
    // cwd: the segfaulting shell may leave a core file behind; keep it in the temp dir.
    daemon = await startDaemon([daemonConfig(dir.path, 'nasty', sections.join('\n'))], {
      cwd: dir.path,
    });
  });
  after(async () => {
    await stopDaemon(daemon);
    killAll(markers.flatMap(processesWithEnv));
    dir.cleanup();
  });

  async function probe(kind: Kind): Promise<Probe> {
    assert.ok(daemon, 'the daemon started');
    const started = Date.now();
    const reply = await httpRequest(daemon.port, {
      path: `/check/${names[kind]}?format=json`,
      timeoutMs: 40_000,
    });
    const tookMs = Date.now() - started;
    const document = JSON.parse(reply.body) as { checks: Record<string, Entry[]> };
    const entry = document.checks[names[kind]]?.[0];
    assert.ok(entry, `the JSON holds the check: ${reply.body}`);
    return { status: reply.status, entry, tookMs };
  }

  it('caps 20 MB of random output at 4 KiB with a marker and passes', async () => {
    const { status, entry, tookMs } = await probe('big');
    assert.equal(status, 200, entry.output?.slice(-200));
    assert.equal(entry.status, 'pass');
    assert.equal(entry.exitCode, 0);
    assert.match(entry.output ?? '', /\[Captured 4096 of 20000000 bytes\]$/);
    assert.ok(tookMs < 30_000, `answered after ${tookMs} ms`);
  });

  it('passes a command that closes stdout early and exits 0', async () => {
    const { status, entry, tookMs } = await probe('closesStdout');
    assert.equal(status, 200, entry.output);
    assert.deepEqual([entry.status, entry.exitCode, entry.timedOut], ['pass', 0, undefined]);
    assert.ok(tookMs < 30_000, `answered after ${tookMs} ms, not at the 60 s timeout`);
  });

  it('fails at the timeout a command that closes both outputs and keeps running', async () => {
    const { status, entry, tookMs } = await probe('closesBoth');
    assert.equal(status, 503, entry.output);
    assert.deepEqual([entry.status, entry.exitCode, entry.timedOut], ['fail', null, true]);
    // The command would exit 0 after 120 s: an answer before means the timeout fired.
    assert.ok(tookMs >= 900 && tookMs < 60_000, `answered after ${tookMs} ms`);
    const marker = `HEALTHCHECKD_CHECK=${names.closesBoth}`;
    assert.ok(await eventually(() => processesWithEnv(marker).length === 0, 10_000), 'killed');
  });

  it('answers 503 at the timeout and SIGKILLs a command that ignores SIGTERM', async () => {
    const { status, entry, tookMs } = await probe('ignoresTerm');
    assert.equal(status, 503, entry.output);
    assert.deepEqual([entry.status, entry.exitCode, entry.timedOut], ['fail', null, true]);
    assert.ok(tookMs < 60_000, `answered after ${tookMs} ms, not when the sleep ends (120 s)`);
    const marker = `HEALTHCHECKD_CHECK=${names.ignoresTerm}`;
    const started = Date.now();
    const gone = await eventually(() => processesWithEnv(marker).length === 0, 10_000, 50);
    assert.ok(gone, `still running ${Date.now() - started} ms after the answer`);
  });

  it('fails a command killed by a signal and names the signal', async () => {
    const { status, entry, tookMs } = await probe('segfaults');
    assert.equal(status, 503, entry.output);
    assert.deepEqual(
      [entry.status, entry.exitCode, entry.signal, entry.timedOut],
      ['fail', null, 'SIGSEGV', undefined],
    );
    assert.match(entry.output ?? '', /killed by SIGSEGV/);
    assert.ok(tookMs < 30_000, `answered after ${tookMs} ms, not at the 60 s timeout`);
  });
});
