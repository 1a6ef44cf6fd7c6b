import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type RunningDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { tempDir } from '../support/paths.js';
import { waitUntil } from '../support/wait.js';
import type { HealthCheckEntry, HealthDocument } from '../../src/types.js';

/** Each check's entry in the daemon's health+json. */
async function entries(port: number): Promise<Record<string, HealthCheckEntry>> {
  const reply = await httpRequest(port, { path: '/?format=json' });
  const document = JSON.parse(reply.body) as HealthDocument;
  return Object.fromEntries(
    Object.entries(document.checks).map(([name, list]) => [name, list[0] as HealthCheckEntry]),
  );
}

async function flappingGauge(port: number, check: string): Promise<string | undefined> {
  const text = (await httpRequest(port, { path: '/metrics' })).body;
  return new RegExp(`^healthcheckd_check_flapping\\{check="${check}"\\} (\\d)$`, 'm').exec(
    text,
  )?.[1];
}

const count = (text: string, pattern: RegExp): number =>
  text.split('\n').filter((line) => pattern.test(line)).length;

describe('history and flapping in a real daemon', { timeout: 120_000 }, () => {
  // The changes logged one by one before flappy started flapping; no more come after.
  let changesLogged = 0;
  const dir = tempDir('hcd-history-');
  const calm = join(dir.path, 'calm');
  const file = join(dir.path, 'history.config');
  // Alternates pass and fail, one run each, until the file `calm` exists; then passes.
  const script = join(dir.path, 'flappy.sh');
  const config = (steady: string): string =>
    `[healthcheckd]\nport = 0\npiddir = ${dir.path}\nspool_dir = ${dir.path}/spool\n\n` +
    `[check:flappy]\ncommand = sh ${script}\ninterval = 100ms\nflap_threshold = 30\n\n` +
    `[check:steady]\ncommand = ${steady}\ninterval = 100ms\n`;
  let daemon: RunningDaemon;

  before(async () => {
    writeFileSync(
      script,
      `n=$(cat ${dir.path}/n 2>/dev/null || echo 0)\necho $((n + 1)) > ${dir.path}/n\n` +
        `echo "run $n"\ntest -e ${calm} && exit 0\nexit $((n % 2 * 2))\n`,
    );
    writeFileSync(file, config('echo steady'));
    daemon = await startDaemon([file]);
  });
  after(async () => {
    await daemon?.stop();
    dir.cleanup();
  });

  it('marks a flapping check in JSON and /metrics, logging one line instead of each change', async () => {
    const flappy = await waitUntil(
      'flappy to flap',
      async () => (await entries(daemon.port)).flappy,
      (entry) => entry?.flapping === true,
      30_000,
    );
    assert.ok((flappy?.percentStateChange ?? 0) > 30);
    assert.equal(await flappingGauge(daemon.port, 'flappy'), '1');
    assert.equal(await flappingGauge(daemon.port, 'steady'), '0');
    // It keeps changing state for a while: none of it is logged one by one.
    await waitUntil(
      '10 more changes',
      async () => (await entries(daemon.port)).flappy?.changes.length ?? 0,
      (changes) => changes >= 20,
      30_000,
    );
    const log = daemon.stderr();
    assert.equal(count(log, /check flappy started flapping/), 1, log);
    changesLogged = count(log, /check flappy is now/);
    assert.ok(changesLogged <= 8, log);
  });

  it('keeps the last 20 results and changes, each with its output', async () => {
    const { flappy, steady } = await entries(daemon.port);
    assert.equal(flappy?.history.length, 20);
    assert.equal(flappy?.changes.length, 20);
    const last = flappy?.history.at(-1);
    assert.match(last?.output ?? '', /^run \d+$/);
    assert.equal(last?.exitCode, last?.status === 'pass' ? 0 : 2);
    assert.ok(!Number.isNaN(Date.parse(last?.time ?? '')));
    const change = flappy?.changes.at(-1);
    assert.match(change?.output ?? '', /^run \d+\n?$/);
    assert.notEqual(change?.from, change?.to);
    assert.deepEqual(
      steady?.changes.map((item) => `${item.from}>${item.to}`),
      ['pending>pass'],
    );
    assert.equal('flapping' in (steady ?? {}), false);
  });

  it('keeps the history of an unchanged check across a reload, not of a changed one', async () => {
    const before = (await entries(daemon.port)).flappy?.changes[0]?.time;
    writeFileSync(file, config('echo steady again'));
    daemon.child.kill('SIGHUP');
    await daemon.waitFor(/config reloaded/);
    const after = await entries(daemon.port);
    assert.ok(after.flappy && after.flappy.changes.length >= 19, 'flappy kept its changes');
    assert.ok((after.flappy.changes[0]?.time ?? '') >= (before ?? ''));
    assert.equal(after.flappy.flapping, true, 'still flapping after the reload');
    assert.ok((after.steady?.history.length ?? 99) < 20, 'steady starts a new history');
  });

  it('logs one line when it stops flapping', async () => {
    writeFileSync(calm, '');
    await waitUntil(
      'flappy to stop flapping',
      async () => (await entries(daemon.port)).flappy,
      (entry) => entry?.flapping === false,
      30_000,
    );
    assert.equal(await flappingGauge(daemon.port, 'flappy'), '0');
    const log = daemon.stderr();
    assert.equal(count(log, /check flappy stopped flapping/), 1, log);
    assert.equal(
      count(log, /check flappy is now/),
      changesLogged,
      'none logged one by one, reload or not',
    );
    assert.match(
      log,
      /check flappy stopped flapping \([^)]*\) after \d+ state changes not logged; now pass/,
    );
  });
});
