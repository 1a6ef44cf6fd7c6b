import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { curlStatus } from '../support/programs.js';
import { after, describe, it } from 'node:test';
import { rawClient, type RawClient } from '../http/raw-client.js';
import {
  eventually,
  httpRequest,
  requireProgram,
  startDaemon,
  tempDir,
  type RunningDaemon,
} from '../support/daemon.js';
import { daemonConfig, openFds, openFileLimit, stopDaemon } from './procfs.js';

/**
 * More idle connections than the daemon's cap (4,096, or its open-file limit less 256): R-01's
 * figure where descriptors allow; under a lower limit (the daemon inherits this process's),
 * just over the daemon's own cap, still within this process's limit.
 */
const limit = openFileLimit();
const held = limit >= 5_000 ? 4_600 : limit - 150;
/** Header timeout 5 s, checked every second: 20 s only catches a hang. */
const releasedWithinMs = 20_000;

/** Opens `n` connections that never send a byte, 200 at a time (the listen backlog is 511). */
async function holdIdle(port: number, n: number, sockets: Socket[]): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  for (let i = 0; i < n; i += 200) {
    const batch = Array.from({ length: Math.min(200, n - i) }, () => rawClient(port, sockets));
    clients.push(...(await Promise.all(batch)));
  }
  return clients;
}

describe('idle connections (real daemon)', { timeout: 120_000 }, () => {
  const dir = tempDir('hcd-idle-');
  const sockets: Socket[] = [];
  let daemon: RunningDaemon | undefined;
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await stopDaemon(daemon);
    dir.cleanup();
  });

  it(
    `answers probes while one client holds ${held} idle connections, then frees them`,
    { timeout: 90_000, skip: requireProgram('curl') },
    async () => {
      const body = `spool_dir = ${dir.path}/spool\ncommand = true\n`;
      daemon = await startDaemon([daemonConfig(dir.path, 'idle', body)], { cwd: dir.path });
      const { port, pid } = daemon;
      const baseFds = openFds(pid);
      const clients = await holdIdle(port, held, sockets);

      // While they are held (the header timeout is 5 s): the cap reclaims idle ones for probes.
      for (let i = 0; i < 3; i++) {
        const reply = await httpRequest(port, { timeoutMs: 10_000 });
        assert.deepEqual([reply.status, reply.body], [200, 'OK'], `probe ${i}`);
      }
      const url = `http://127.0.0.1:${port}/`;
      assert.equal(await curlStatus(url), '200');
      assert.ok(
        openFds(pid) - baseFds <= 4_096 + 16,
        `the daemon holds ${openFds(pid) - baseFds} more descriptors`,
      );

      // Then every idle connection is closed by the daemon, though the client never closes.
      assert.ok(
        await eventually(
          () => clients.every((client) => client.isServerClosed()),
          releasedWithinMs,
          250,
        ),
        `${clients.filter((client) => !client.isServerClosed()).length} idle connections still open`,
      );
      assert.ok(
        await eventually(() => openFds(pid) - baseFds < 16, releasedWithinMs, 250),
        `the daemon still holds ${openFds(pid) - baseFds} more descriptors than at start`,
      );
      const answered = clients.filter((client) => client.text().startsWith('HTTP/1.1 408 ')).length;
      const reclaimed = clients.filter((client) => client.text() === '').length;
      assert.equal(
        answered + reclaimed,
        held,
        'a connection got something else than 408 or a close',
      );
      const after = await httpRequest(port, { timeoutMs: 10_000 });
      assert.equal(after.status, 200);
    },
  );
});
