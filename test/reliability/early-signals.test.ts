import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import {
  eventually,
  fixtures,
  httpRequest,
  startCli,
  tempDir,
  writeConfig,
  type CliProcess,
  type Exit,
} from '../support/daemon.js';
import { daemonConfig } from './procfs.js';

/**
 * True once `pid` catches SIGHUP (bit 0 of SigCgt in /proc/<pid>/status). Node catches SIGINT
 * and SIGTERM itself from its start, never SIGHUP: this bit is the first handler of the program.
 */
function catchesHangup(pid: number): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & 1n) === 1n;
  } catch {
    return false;
  }
}

/** Starts the CLI and waits until it catches SIGHUP, polling every millisecond. */
async function startCaught(args: readonly string[]): Promise<CliProcess> {
  const cli = startCli(args);
  const caught = await eventually(() => catchesHangup(cli.pid), 20_000, 1);
  if (!caught) cli.child.kill('SIGKILL');
  assert.ok(caught, `the CLI never caught SIGHUP; stderr:\n${cli.stderr()}`);
  return cli;
}

/** How long the slow-load fixture holds the loading of the program past its entry point. */
const loadHeldMs = 3_000;

/**
 * Starts the CLI with the loading of everything past its entry point held for a while
 * (test/fixtures/daemon/slow-load.mjs), and waits until that loading has begun.
 */
async function startLoading(args: readonly string[], dir: string): Promise<CliProcess> {
  const mark = join(dir, `loading-${Math.random().toString(36).slice(2)}`);
  const cli = startCli(args, {
    env: {
      NODE_OPTIONS: `--import=${join(fixtures, 'daemon', 'slow-load.mjs')}`,
      SLOW_LOAD_MARK: mark,
      SLOW_LOAD_MS: String(loadHeldMs),
    },
  });
  const loading = await eventually(() => existsSync(mark), 20_000, 5);
  if (!loading) cli.child.kill('SIGKILL');
  assert.ok(loading, `the CLI never began loading; stderr:\n${cli.stderr()}`);
  return cli;
}

function exitWithin(cli: CliProcess, ms: number): Promise<Exit | null> {
  return Promise.race([
    cli.exited,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), ms).unref()),
  ]);
}

async function stopped(cli: CliProcess): Promise<Exit | null> {
  cli.child.kill('SIGTERM');
  const exit = await exitWithin(cli, 15_000);
  if (exit === null) cli.child.kill('SIGKILL');
  return exit;
}

function config(dir: string, name: string): string {
  return daemonConfig(dir, name, `command = true\n`);
}

/** Sends SIGHUP to a starting daemon; it must come up, answer 200 and stop with exit 0. */
async function survivesHangup(cli: CliProcess, what: string): Promise<void> {
  try {
    cli.child.kill('SIGHUP');
    const match = await cli.waitFor(/listening on http:\/\/[^\s"]*:(\d+)/, 20_000);
    const reply = await httpRequest(Number(match[1]), { timeoutMs: 10_000 });
    assert.equal(reply.status, 200, what);
    assert.deepEqual(await stopped(cli), { code: 0, signal: null }, what);
  } finally {
    cli.child.kill('SIGKILL');
  }
}

async function hangupWhileLoading(): Promise<void> {
  const dir = tempDir('hcd-early-');
  try {
    const cli = await startLoading(['run', config(dir.path, 'loading')], dir.path);
    await survivesHangup(cli, 'SIGHUP while the program loads');
  } finally {
    dir.cleanup();
  }
}

async function hangupAllThroughTheStart(): Promise<void> {
  const dir = tempDir('hcd-early-');
  try {
    for (const delayMs of [0, 5, 20, 60, 150, 300]) {
      const cli = await startCaught(['run', config(dir.path, `hup-${delayMs}`)]);
      await sleep(delayMs);
      await survivesHangup(cli, `SIGHUP ${delayMs} ms after the first handler`);
    }
  } finally {
    dir.cleanup();
  }
}

async function stopWhileLoading(signal: 'SIGTERM' | 'SIGINT', code: number): Promise<void> {
  const dir = tempDir('hcd-early-');
  try {
    const cli = await startLoading(['run', config(dir.path, 'stop')], dir.path);
    cli.child.kill(signal);
    const exit = await exitWithin(cli, loadHeldMs / 2);
    cli.child.kill('SIGKILL');
    assert.deepEqual(exit, { code, signal: null }, 'exited at once, while still loading');
    assert.equal(cli.stderr(), '', 'nothing was started, nothing to say');
    assert.equal(existsSync(join(dir.path, 'stop.pid')), false, 'no pidfile');
  } finally {
    dir.cleanup();
  }
}

async function validateHungUpWhileLoading(): Promise<void> {
  const dir = tempDir('hcd-early-');
  try {
    const validate = await startLoading(['validate', config(dir.path, 'validate')], dir.path);
    validate.child.kill('SIGHUP');
    const exit = await exitWithin(validate, 15_000);
    validate.child.kill('SIGKILL');
    assert.deepEqual(exit, { code: 129, signal: null }, 'ended by the SIGHUP that came early');
    assert.equal(validate.stdout(), '', 'validate printed nothing');
  } finally {
    dir.cleanup();
  }
}

/** `status` asks a server that never answers; SIGHUP must end it as it always did. */
async function statusHungUp(): Promise<void> {
  const dir = tempDir('hcd-early-');
  const sockets: Socket[] = [];
  const silent = createServer((socket) => void sockets.push(socket));
  try {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const path = writeConfig(
      dir.path,
      `[healthcheckd]\nport = ${port}\nbind = 127.0.0.1\nspool_dir = ${dir.path}/spool\ncommand = true\n`,
    );
    const status = startCli(['status', path]);
    try {
      assert.ok(await eventually(() => sockets.length > 0, 20_000), 'status asked the daemon');
      status.child.kill('SIGHUP');
      assert.deepEqual(await exitWithin(status, 5_000), { code: null, signal: 'SIGHUP' });
    } finally {
      status.child.kill('SIGKILL');
    }
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
    dir.cleanup();
  }
}

describe('signals from the first moment', { timeout: 120_000 }, () => {
  it('a SIGHUP while the program loads does not end the daemon', { timeout: 60_000 }, () =>
    hangupWhileLoading(),
  );
  it(
    'a SIGHUP at any moment from the first handler to the daemon up never ends it',
    { timeout: 180_000 },
    () => hangupAllThroughTheStart(),
  );
  it(
    'a SIGTERM while the program loads exits 143 at once, nothing started',
    { timeout: 60_000 },
    () => stopWhileLoading('SIGTERM', 143),
  );
  it(
    'a SIGINT while the program loads exits 130 at once, nothing started',
    { timeout: 60_000 },
    () => stopWhileLoading('SIGINT', 130),
  );
  it(
    'another command hung up while it loads exits 129, as the default would end it',
    { timeout: 60_000 },
    () => validateHungUpWhileLoading(),
  );
  it('`status` waiting on a silent daemon is still ended by SIGHUP', { timeout: 60_000 }, () =>
    statusHungUp(),
  );
});
