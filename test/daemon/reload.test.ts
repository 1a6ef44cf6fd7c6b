import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { describe, it } from 'node:test';
import { createReloadQueue } from '../../src/daemon/reload.js';
import {
  freePort,
  get,
  holdPort,
  refusal,
  startInProcess,
  type InProcessDaemon,
} from '../support/inprocess.js';

const count = (messages: string[], text: string): number =>
  messages.filter((message) => message === text).length;

async function within(daemon: InProcessDaemon, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } finally {
    await daemon.cleanup();
  }
}

describe('reload, in process', { timeout: 60_000 }, () => {
  it('same port: the server is kept and a keep-alive connection gets the new config', async () => {
    const port = await freePort();
    const hcd = await startInProcess(`port = ${port}\nbind = 127.0.0.1\ncommand = true`);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    await within(hcd, async () => {
      const before = await get(port, { agent });
      hcd.write(`port = ${port}\nbind = 127.0.0.1\ncommand = false`);
      await hcd.daemon.reload();
      const after = await get(port, { agent });
      assert.deepEqual([before.status, after.status], [200, 503]);
      assert.equal(after.localPort, before.localPort, 'the same connection carried both');
      assert.equal(count(hcd.messages(), 'config reloaded'), 1);
    }).finally(() => agent.destroy());
  });

  it('address only (127.0.0.1 to 0.0.0.0, same port): the new config answers there', async () => {
    const port = await freePort();
    const hcd = await startInProcess(`port = ${port}\nbind = 127.0.0.1\ncommand = true`);
    await within(hcd, async () => {
      hcd.write(`port = ${port}\nbind = 0.0.0.0\ncommand = false`);
      await hcd.daemon.reload();
      assert.equal(count(hcd.messages(), 'config reloaded'), 1, hcd.messages().join('\n'));
      assert.equal(hcd.daemon.port(), port);
      assert.equal((await get(port)).status, 503);
      assert.equal((await get(port, { host: '127.0.0.2' })).status, 503, 'bound to 0.0.0.0');
    });
  });

  it('rollback: a new config whose agent port is taken leaves the old one serving, nothing half-bound', async () => {
    const [oldPort, newPort] = [await freePort(), await freePort()];
    const taken = await holdPort();
    const hcd = await startInProcess(`port = ${oldPort}\nbind = 127.0.0.1\ncommand = true`);
    await within(hcd, async () => {
      hcd.write(
        `port = ${newPort}\nbind = 127.0.0.1\ncommand = false\n[agent]\nport = ${taken.port}`,
      );
      await hcd.daemon.reload();
      const refused = hcd.messages().filter((message) => message.startsWith('reload refused'));
      assert.equal(refused.length, 1, hcd.messages().join('\n'));
      assert.match(refused[0] ?? '', new RegExp(`agent port ${taken.port} is in use`));
      assert.equal((await get(oldPort)).status, 200, 'the old config answers on its port');
      assert.equal(await refusal(newPort), 'ECONNREFUSED', 'the new HTTP port was closed again');
      assert.equal(hcd.daemon.port(), oldPort);
    }).finally(() => taken.close());
  });

  it('reloads asked during one run once more after it, not once each', async () => {
    const hcd = await startInProcess('port = 0\nbind = 127.0.0.1\ncommand = true');
    await within(hcd, async () => {
      await Promise.all([hcd.daemon.reload(), hcd.daemon.reload(), hcd.daemon.reload()]);
      assert.equal(count(hcd.messages(), 'config reloaded'), 2);
      await hcd.daemon.reload();
      assert.equal(count(hcd.messages(), 'config reloaded'), 3, 'and reloads again after');
    });
  });

  it('a stop waits for the reload under way and closes what it bound', async () => {
    const [oldPort, newPort] = [await freePort(), await freePort()];
    const hcd = await startInProcess(`port = ${oldPort}\nbind = 127.0.0.1\ncommand = true`);
    hcd.write(`port = ${newPort}\nbind = 127.0.0.1\ncommand = true`);
    const reloaded = hcd.daemon.reload();
    await hcd.daemon.stop();
    await reloaded;
    const messages = hcd.messages();
    assert.ok(
      messages.indexOf('config reloaded') < messages.indexOf('stopped'),
      messages.join('\n'),
    );
    assert.deepEqual(
      [await refusal(oldPort), await refusal(newPort)],
      ['ECONNREFUSED', 'ECONNREFUSED'],
    );
    await hcd.daemon.reload();
    assert.equal(count(hcd.messages(), 'reloading config'), 1, 'no reload after a stop');
    await hcd.cleanup();
  });
});

describe('createReloadQueue', { timeout: 10_000 }, () => {
  /** A queue whose runs wait for the test to finish them. */
  function gated() {
    const finish: (() => void)[] = [];
    let runs = 0;
    const queue = createReloadQueue(() => {
      runs += 1;
      return new Promise<void>((resolve) => finish.push(resolve));
    });
    const settle = async (): Promise<void> => {
      await new Promise((resolve) => setImmediate(resolve));
    };
    return { queue, runs: () => runs, finish, settle };
  }

  it('runs one at a time, and one more for any number asked meanwhile', async () => {
    const { queue, runs, finish, settle } = gated();
    const first = queue.request();
    const [second, third] = [queue.request(), queue.request()];
    assert.equal(second, third, 'both asks are covered by the same next run');
    assert.equal(runs(), 1);
    finish.shift()?.();
    await first;
    await settle();
    assert.equal(runs(), 2);
    finish.shift()?.();
    await second;
    assert.equal(runs(), 2);
  });

  it('keeps going after a run that failed', async () => {
    let calls = 0;
    const queue = createReloadQueue(async () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
    });
    const failed = queue.request();
    const next = queue.request();
    await assert.rejects(failed, /boom/);
    await next;
    assert.equal(calls, 2);
  });

  it('close waits for the run under way and drops the one asked for', async () => {
    const { queue, runs, finish, settle } = gated();
    void queue.request();
    const queued = queue.request();
    let closed = false;
    const closing = queue.close().then(() => (closed = true));
    await settle();
    assert.equal(closed, false, 'the run under way is still running');
    finish.shift()?.();
    await closing;
    await queued;
    assert.equal(runs(), 1);
    await queue.request();
    assert.equal(runs(), 1, 'nothing starts once closed');
  });
});
