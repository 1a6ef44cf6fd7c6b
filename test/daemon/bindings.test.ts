import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { describe, it } from 'node:test';
import { bind, rebind, unbind, type Binding } from '../../src/daemon/bindings.js';
import { createHttpEndpoint, type HttpEndpoint } from '../../src/daemon/http-endpoint.js';
import { HealthcheckdError } from '../../src/errors.js';
import { freePort, get, holdPort, refusal } from '../support/inprocess.js';

const loopback = '127.0.0.1';

/** An endpoint answering `body`, whose listens and closes land in `events`. */
function recorded(name: string, body: string, events: string[]): HttpEndpoint {
  const endpoint = createHttpEndpoint((_req, res) => res.end(body));
  return {
    ...endpoint,
    listen: async (port, host) => {
      try {
        const bound = await endpoint.listen(port, host);
        events.push(`${name} listening on ${host}`);
        return bound;
      } catch (error) {
        events.push(`${name} failed: ${((error as Error).cause as NodeJS.ErrnoException).code}`);
        throw error;
      }
    },
    close: async (graceMs) => {
      await endpoint.close(graceMs);
      events.push(`${name} closed`);
    },
  };
}

const notCalled = (): HttpEndpoint => assert.fail('no new server for the same address');

/** Runs `fn` with a binding of `old` on 127.0.0.1 (port 0: any), closed at the end. */
async function withOld(
  events: string[],
  port: number,
  fn: (old: Binding<HttpEndpoint>) => Promise<void>,
): Promise<void> {
  const old = await bind(recorded('old', 'old', events), { host: loopback, port });
  try {
    await fn(old);
  } finally {
    await unbind(old, 0);
  }
}

describe('rebind', { timeout: 30_000 }, () => {
  it('same address: the same server, its keep-alive connection untouched', async () => {
    const events: string[] = [];
    await withOld(events, 0, async (old) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const before = await get(old.port, { agent });
        const moved = await rebind(old, { host: loopback, port: 0 }, notCalled, 0);
        assert.equal(moved.binding, old);
        old.server.serve((_req, res) => res.end('new'));
        await moved.commit(0);
        const after = await get(old.port, { agent });
        assert.deepEqual([before.body, after.body], ['old', 'new']);
        assert.equal(after.localPort, before.localPort, 'the same connection carried both');
        assert.deepEqual(events, ['old listening on 127.0.0.1']);
      } finally {
        agent.destroy();
      }
    });
  });

  it('a new port: the new server listens beside the old, which closes on commit', async () => {
    const events: string[] = [];
    const port = await freePort();
    await withOld(events, 0, async (old) => {
      const moved = await rebind(
        old,
        { host: loopback, port },
        () => recorded('new', 'new', events),
        0,
      );
      try {
        assert.deepEqual([moved.binding.port, (await get(port)).body], [port, 'new']);
        assert.equal((await get(old.port)).body, 'old', 'the old serves until the commit');
        await moved.commit(0);
        assert.equal(await refusal(old.port), 'ECONNREFUSED');
        assert.deepEqual(events.slice(1), ['new listening on 127.0.0.1', 'old closed']);
      } finally {
        await unbind(moved.binding, 0);
      }
    });
  });

  it('address only (127.0.0.1 to 0.0.0.0, same port): the old closes first, then the new listens', async () => {
    const events: string[] = [];
    await withOld(events, 0, async (old) => {
      const moved = await rebind(
        old,
        { host: '0.0.0.0', port: old.port },
        () => recorded('new', 'new', events),
        0,
      );
      try {
        assert.deepEqual(events, [
          'old listening on 127.0.0.1',
          'new failed: EADDRINUSE',
          'old closed',
          'new listening on 0.0.0.0',
        ]);
        assert.equal(moved.binding.port, old.port);
        assert.equal((await get(old.port)).body, 'new');
        await moved.commit(0);
        assert.equal(events.length, 4, 'the commit closes nothing more');
      } finally {
        await unbind(moved.binding, 0);
      }
    });
  });

  it('rollback: the new port is taken; the old keeps serving, the new never listened', async () => {
    const events: string[] = [];
    const foreign = await holdPort();
    try {
      await withOld(events, 0, async (old) => {
        await assert.rejects(
          rebind(old, { host: loopback, port: foreign.port }, () => recorded('new', '', events), 0),
          (error: unknown) =>
            error instanceof HealthcheckdError &&
            error.code === 'E_LISTEN' &&
            (error.cause as NodeJS.ErrnoException).code === 'EADDRINUSE',
        );
        assert.deepEqual(events, ['old listening on 127.0.0.1', 'new failed: EADDRINUSE']);
        assert.equal((await get(old.port)).body, 'old');
      });
    } finally {
      foreign.close();
    }
  });

  it('rollback: the new address stays taken after the old closed; the old is reopened', async () => {
    const events: string[] = [];
    await withOld(events, 0, async (old) => {
      // Another process on 127.0.0.2 at the same port keeps 0.0.0.0 from being bound.
      const foreign = await holdPort(old.port, '127.0.0.2');
      try {
        await assert.rejects(
          rebind(old, { host: '0.0.0.0', port: old.port }, () => recorded('new', '', events), 0),
          (error: unknown) => error instanceof HealthcheckdError && error.code === 'E_LISTEN',
        );
        assert.deepEqual(events, [
          'old listening on 127.0.0.1',
          'new failed: EADDRINUSE',
          'old closed',
          'new failed: EADDRINUSE',
          'old listening on 127.0.0.1',
        ]);
        assert.equal((await get(old.port)).body, 'old');
      } finally {
        foreign.close();
      }
    });
  });

  it('rollback after a later step failed: the new closes, the old is back where it was', async () => {
    const events: string[] = [];
    await withOld(events, 0, async (old) => {
      const moved = await rebind(
        old,
        { host: '0.0.0.0', port: old.port },
        () => recorded('new', 'new', events),
        0,
      );
      await moved.rollback();
      assert.deepEqual(events.slice(-2), ['new closed', 'old listening on 127.0.0.1']);
      assert.equal((await get(old.port)).body, 'old');
      assert.equal(await refusal(old.port, '127.0.0.2'), 'ECONNREFUSED', 'nothing on 0.0.0.0');
    });
  });
});
