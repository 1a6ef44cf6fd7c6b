import assert from 'node:assert/strict';
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  daemonConfig,
  runCli,
  startDaemon,
  stopDaemon,
  type RunningDaemon,
} from '../support/daemon.js';
import { grpcCheck, grpcHold, grpcWatch, type WatchLine } from '../support/grpc-client.js';
import { httpRequest } from '../support/http-client.js';
import { freePort } from '../support/listen.js';
import { tempDir } from '../support/paths.js';
import { eventually } from '../support/wait.js';

const statuses = (lines: readonly WatchLine[]): string[] =>
  lines.flatMap((line) => (line.status === undefined ? [] : [line.status]));

/** Two checks: `app` (group web) passes while `flag` exists; `side` (group other) warns. */
function checks(flag: string): string {
  return (
    `[check:app]\ncommand = "test -e ${flag}"\ninterval = 300ms\ngroup = web\n` +
    `[check:side]\ncommand = "exit 3"\nwarn_exit_codes = 3\ninterval = 300ms\ngroup = other\n`
  );
}

describe('gRPC health against a real daemon', { timeout: 120_000 }, () => {
  const dir = tempDir();
  const flag = join(dir.path, 'ok-flag');
  let port = 0;
  let config = '';
  let daemon: RunningDaemon | undefined;
  before(async () => {
    port = await freePort();
    writeFileSync(flag, '');
    config = daemonConfig(dir.path, 'grpc', `${checks(flag)}[grpc]\nport = ${port}\n`);
    daemon = await startDaemon([config]);
    await daemon.waitFor(/grpc health service on 127\.0\.0\.1:\d+/);
  });
  after(async () => {
    await stopDaemon(daemon);
    dir.cleanup();
  });

  it(
    'answers Check for the aggregate, a group, one check and unknown names',
    { timeout: 30_000 },
    async () => {
      const answers = await grpcCheck(port, [
        '',
        'web',
        'other',
        'check/app',
        'check/side',
        'nope',
        'check/nope',
      ]);
      assert.deepEqual(answers, [
        { service: '', status: 'SERVING' },
        { service: 'web', status: 'SERVING' },
        { service: 'other', status: 'SERVING' },
        { service: 'check/app', status: 'SERVING' },
        { service: 'check/side', status: 'SERVING' },
        { service: 'nope', code: 5 },
        { service: 'check/nope', code: 5 },
      ]);
    },
  );

  it(
    'answers NOT_SERVING for what holds a failing check, as HTTP answers 503',
    { timeout: 30_000 },
    async () => {
      unlinkSync(flag);
      try {
        const watch = grpcWatch(port, 'check/app');
        try {
          await watch.waitFor((line) => line.status === 'NOT_SERVING');
        } finally {
          await watch.stop();
        }
        assert.deepEqual(await grpcCheck(port, ['', 'web', 'other', 'check/app']), [
          { service: '', status: 'NOT_SERVING' },
          { service: 'web', status: 'NOT_SERVING' },
          { service: 'other', status: 'SERVING' },
          { service: 'check/app', status: 'NOT_SERVING' },
        ]);
        assert.equal((await httpRequest(daemon!.port)).status, 503);
      } finally {
        writeFileSync(flag, '');
      }
    },
  );

  it(
    'pushes pass -> fail -> pass -> maintenance -> pass to a Watch stream',
    { timeout: 60_000 },
    async () => {
      // The previous test flipped the check: start from a pass, as HTTP sees it.
      assert.ok(
        await eventually(async () => (await httpRequest(daemon!.port)).status === 200, 20_000),
        'the check passes again before the Watch starts',
      );
      const watch = grpcWatch(port, '');
      const nth = (count: number) => (): boolean => statuses(watch.lines()).length >= count;
      try {
        await watch.waitFor(nth(1));
        unlinkSync(flag);
        await watch.waitFor(nth(2));
        writeFileSync(flag, '');
        await watch.waitFor(nth(3));
        assert.equal((await runCli(['down', config, '--reason', 'deploy'])).code, 0);
        await watch.waitFor(nth(4));
        assert.equal((await runCli(['up', config])).code, 0);
        await watch.waitFor(nth(5));
        assert.deepEqual(statuses(watch.lines()), [
          'SERVING',
          'NOT_SERVING',
          'SERVING',
          'NOT_SERVING',
          'SERVING',
        ]);
      } finally {
        writeFileSync(flag, '');
        await watch.stop();
      }
    },
  );

  it('answers SERVICE_UNKNOWN on Watch for an unknown name', { timeout: 30_000 }, async () => {
    const watch = grpcWatch(port, 'check/nope');
    try {
      await watch.waitFor((line) => line.status === 'SERVICE_UNKNOWN');
    } finally {
      await watch.stop();
    }
  });

  it(
    'keeps answering others while a client holds many Watch streams unread',
    { timeout: 60_000 },
    async () => {
      const hog = grpcHold(port, '', 300);
      const watch = grpcWatch(port, 'web');
      try {
        await hog.waitFor((line) => line.held === 300, 30_000);
        await watch.waitFor((line) => line.status === 'SERVING');
        for (let i = 0; i < 3; i += 1) {
          unlinkSync(flag);
          await watch.waitFor(() => statuses(watch.lines()).length === 2 + 2 * i);
          writeFileSync(flag, '');
          await watch.waitFor(() => statuses(watch.lines()).length === 3 + 2 * i);
        }
        assert.deepEqual(await grpcCheck(port, ['', 'check/app']), [
          { service: '', status: 'SERVING' },
          { service: 'check/app', status: 'SERVING' },
        ]);
        assert.equal((await httpRequest(daemon!.port)).status, 200);
      } finally {
        writeFileSync(flag, '');
        await Promise.all([hog.stop(), watch.stop()]);
      }
    },
  );

  it(
    'refuses a second daemon on the same gRPC port with the HTTP wording',
    { timeout: 30_000 },
    async () => {
      const other = daemonConfig(dir.path, 'second', `${checks(flag)}[grpc]\nport = ${port}\n`);
      const result = await runCli(['run', other]);
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        new RegExp(
          `cannot listen on 127\\.0\\.0\\.1:${port}: grpc port ${port} is in use; stop the other process or choose another port in \\[grpc\\]`,
        ),
      );
    },
  );
});

describe('gRPC health across reload and stop', { timeout: 120_000 }, () => {
  const dir = tempDir();
  const flag = join(dir.path, 'ok-flag');
  let daemon: RunningDaemon | undefined;
  after(async () => {
    await stopDaemon(daemon);
    dir.cleanup();
  });

  it(
    'follows reloads: new names, a new port, the section removed and added',
    { timeout: 90_000 },
    async () => {
      writeFileSync(flag, '');
      const [first, second] = [await freePort(), await freePort()];
      const write = (body: string): string =>
        daemonConfig(dir.path, 'reload', `${checks(flag)}${body}`);
      const config = write(`[grpc]\nport = ${first}\n`);
      daemon = await startDaemon([config]);
      const reload = async (body: string): Promise<void> => {
        const before = (daemon!.stderr().match(/config reloaded/g) ?? []).length;
        write(body);
        daemon!.child.kill('SIGHUP');
        await daemon!.waitFor(new RegExp(`(config reloaded[^]*){${before + 1}}`));
      };
      const watch = grpcWatch(first, 'check/later');
      try {
        await watch.waitFor((line) => line.status === 'SERVICE_UNKNOWN');
        await reload(
          `[check:later]\ncommand = "true"\ninterval = 300ms\n[grpc]\nport = ${first}\n`,
        );
        await watch.waitFor((line) => line.status === 'SERVING');
        await reload(`[grpc]\nport = ${second}\n`);
        await watch.waitFor((line) => line.end === true || line.code !== undefined);
      } finally {
        await watch.stop();
      }
      assert.deepEqual(await grpcCheck(second, ['web']), [{ service: 'web', status: 'SERVING' }]);
      assert.equal((await grpcCheck(first, ['web']))[0]?.code, 14);
      await reload('');
      assert.equal((await grpcCheck(second, ['web']))[0]?.code, 14);
      await reload(`[grpc]\nport = ${first}\n`);
      assert.deepEqual(await grpcCheck(first, ['']), [{ service: '', status: 'SERVING' }]);
    },
  );

  it(
    'drains at stop: Watch sees NOT_SERVING, then the stream ends',
    { timeout: 60_000 },
    async () => {
      await stopDaemon(daemon);
      const port = await freePort();
      const config = daemonConfig(
        dir.path,
        'drain',
        `shutdown_delay = 1s\n${checks(flag)}[grpc]\nport = ${port}\n`,
      );
      daemon = await startDaemon([config]);
      const watch = grpcWatch(port, '');
      try {
        await watch.waitFor((line) => line.status === 'SERVING');
        daemon.child.kill('SIGTERM');
        await watch.waitFor((line) => line.status === 'NOT_SERVING');
        await watch.waitFor((line) => line.end === true || line.code !== undefined);
        assert.equal((await daemon.exited).code, 0);
      } finally {
        await watch.stop();
      }
    },
  );
});
