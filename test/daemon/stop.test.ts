import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, get, open, readAll, startInProcess } from '../support/inprocess.js';

/** What keeps this process's event loop alive, as a multiset of resource types. */
function holding(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo())
    counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** The resources in `now` beyond those in `before`. */
function beyond(before: Map<string, number>, now: Map<string, number>): string[] {
  return [...now].flatMap(([type, n]) => (n > (before.get(type) ?? 0) ? [type] : []));
}

describe('stop, in process', { timeout: 30_000 }, () => {
  it('leaves nothing holding the event loop: no server, socket, timer or child', async () => {
    const before = holding();
    const agentPort = await freePort();
    const body =
      `port = 0\nbind = 127.0.0.1\n[check:bg]\ncommand = sleep 5\ninterval = 1s\ntimeout = 10s\n` +
      `[check:now]\ncommand = true\n[agent]\nport = ${agentPort}\nweight = cpu\n`;
    const hcd = await startInProcess(body);
    const agent = new Agent({ keepAlive: true });
    try {
      assert.equal((await get(hcd.daemon.port(), { agent, path: '/check/now' })).status, 200);
      await readAll(await open(agentPort));
      hcd.write(body.replace('command = true', 'command = false'));
      await hcd.daemon.reload();
      await hcd.daemon.stop();
      agent.destroy();
      let left = beyond(before, holding());
      // A killed check's process is reaped, and a closed socket released, a moment later.
      for (let i = 0; i < 50 && left.length > 0; i += 1) {
        await sleep(20);
        left = beyond(before, holding());
      }
      assert.deepEqual(left, []);
    } finally {
      agent.destroy();
      await hcd.cleanup();
    }
  });
});
