import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { daemonConfig, type RunningDaemon, startDaemon, stopDaemon } from '../support/daemon.js';
import { type HttpReply, httpRequest } from '../support/http-client.js';
import { tempDir } from '../support/paths.js';
import { openFds, openFileLimit } from '../support/processes.js';
import { eventually } from '../support/wait.js';

/** Probes sent at once; the README promises that a storm of 1,000 runs a slow command once. */
const wanted = 1_000;
/**
 * Each probe holds one socket here and one in the daemon, and the daemon inherits our soft
 * fd limit. Under `ulimit -n 1024` both sides keep ~200 fds spare, so the storm shrinks to
 * what fits (824 probes) instead of failing with EMFILE.
 */
const probes = Math.min(wanted, openFileLimit() - 200);
const batch = 100;

describe('a storm of concurrent probes on a slow check', { timeout: 60_000 }, () => {
  const dir = tempDir('hcd-storm-');
  let daemon: RunningDaemon | undefined;
  after(async () => {
    await stopDaemon(daemon);
    dir.cleanup();
  });

  it(`runs the command once for ${probes} concurrent probes and answers every one 200`, async () => {
    const count = join(dir.path, 'count');
    const gate = join(dir.path, 'go');
    // The run holds until the test opens the gate (at most 10 s), so that every probe is
    // certainly in while it is in flight, however slowly a busy CI host accepts them.
    const command = `echo run >> ${count}; i=0; while [ ! -e ${gate} ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done`;
    daemon = await startDaemon(
      [daemonConfig(dir.path, 'storm', `timeout = 30s\ncommand = "${command}"\n`)],
      { cwd: dir.path },
    );
    const { port, pid } = daemon;
    const idleFds = openFds(pid);
    const replies: Promise<HttpReply | Error>[] = [];
    try {
      for (let sent = 0; sent < probes; sent += batch) {
        for (let i = sent; i < Math.min(probes, sent + batch); i++) {
          replies.push(httpRequest(port, { timeoutMs: 60_000 }).catch((error: Error) => error));
        }
        // Let the listen backlog drain between batches instead of dropping SYNs.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const allIn = await eventually(() => openFds(pid) >= idleFds + probes, 20_000, 50);
      assert.ok(allIn, `the daemon holds ${openFds(pid) - idleFds} of ${probes} connections`);
      // Accepted is not yet parsed: give the last requests a moment to reach the handler.
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      writeFileSync(gate, '');
    }
    const answered = await Promise.all(replies);
    const errors = answered.filter((reply): reply is Error => reply instanceof Error);
    assert.deepEqual(
      errors.map((error) => error.message).slice(0, 5),
      [],
      `${errors.length} probes failed`,
    );
    const statuses = new Map<number, number>();
    for (const reply of answered as HttpReply[]) {
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
    }
    assert.deepEqual([...statuses], [[200, probes]], 'every probe is answered 200');
    assert.equal(readFileSync(count, 'utf8'), 'run\n', 'the command ran exactly once');
  });
});
