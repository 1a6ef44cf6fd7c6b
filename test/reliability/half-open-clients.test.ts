import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { curlStatus } from '../support/programs.js';
import { after, before, describe, it } from 'node:test';
import { rawClient, statusLines, within } from '../http/raw-client.js';
import {
  eventually,
  requireProgram,
  startDaemon,
  tempDir,
  type RunningDaemon,
} from '../support/daemon.js';
import { daemonConfig, openFds, stopDaemon } from './procfs.js';

const hangMs = 10_000;

/**
 * The load balancers' own probes against a real daemon whose check runs on request (the mode
 * in which a half-closed client used to lose its answer): HAProxy's `GET / HTTP/1.1` without
 * Host, scripted probes that shut their sending side after the request, and rejected requests
 * from clients that never close.
 */
describe(
  'probes without Host, half-closed clients, rejected requests (real daemon)',
  { timeout: 120_000 },
  () => {
    const dir = tempDir('hcd-half-open-');
    const sockets: Socket[] = [];
    let daemon: RunningDaemon | undefined;
    let baseFds = 0;
    before(async () => {
      const body = `spool_dir = ${dir.path}/spool\n[check:ok]\ncommand = sleep 0.2\ngroup = live\n`;
      daemon = await startDaemon([daemonConfig(dir.path, 'half-open', body)], { cwd: dir.path });
      baseFds = openFds(daemon.pid);
    });
    after(async () => {
      for (const socket of sockets) socket.destroy();
      await stopDaemon(daemon);
      dir.cleanup();
    });
    const port = (): number => daemon?.port ?? 0;

    for (const request of [
      'GET / HTTP/1.1\r\nConnection: close\r\n\r\n',
      'HEAD / HTTP/1.1\r\nConnection: close\r\n\r\n',
      'GET /check/ok HTTP/1.1\r\nConnection: close\r\n\r\n',
    ]) {
      it(
        `answers ${JSON.stringify(request.split('\r\n')[0])} without Host: 200`,
        { timeout: 30_000 },
        async () => {
          const client = await rawClient(port(), sockets);
          client.socket.write(request);
          await within(client.serverClosed, hangMs, request);
          assert.deepEqual(statusLines(client.text()), ['HTTP/1.1 200 OK']);
        },
      );
    }

    it(
      'answers curl with the Host header removed: 200',
      { timeout: 30_000, skip: requireProgram('curl') },
      async () => {
        const url = `http://127.0.0.1:${port()}/`;
        assert.equal(await curlStatus(url, ['--http1.1', '-H', 'Host:']), '200');
      },
    );

    for (const path of ['/', '/check/ok', '/live']) {
      for (const version of ['1.0', '1.1']) {
        it(
          `answers GET ${path} HTTP/${version} sent with a half-close: 200 OK, then closes`,
          { timeout: 30_000 },
          async () => {
            const client = await rawClient(port(), sockets);
            client.socket.end(`GET ${path} HTTP/${version}\r\n\r\n`);
            await within(client.serverClosed, hangMs, path);
            assert.deepEqual(statusLines(client.text()), ['HTTP/1.1 200 OK']);
            assert.ok(client.text().endsWith('\r\n\r\nOK'), client.text());
          },
        );
      }
    }

    it(
      'answers 400 and 431 and frees both sockets though the clients never close theirs',
      { timeout: 30_000 },
      async () => {
        const garbage = await rawClient(port(), sockets);
        garbage.socket.write(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]));
        const big = await rawClient(port(), sockets);
        big.socket.write(`GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
        await within(Promise.all([garbage.serverClosed, big.serverClosed]), hangMs, 'rejections');
        assert.deepEqual(statusLines(garbage.text()), ['HTTP/1.1 400 Bad Request']);
        assert.deepEqual(statusLines(big.text()), ['HTTP/1.1 431 Request Header Fields Too Large']);
        // Freed by the rejection itself, well before the 5 s header timeout could free them.
        const pid = daemon?.pid ?? 0;
        assert.ok(
          await eventually(() => openFds(pid) <= baseFds, 3_000, 50),
          `the daemon holds ${openFds(pid) - baseFds} more descriptors than at start`,
        );
        assert.ok(
          garbage.socket.writable && big.socket.writable,
          'the clients kept their side open',
        );
      },
    );
  },
);
