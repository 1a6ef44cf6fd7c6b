import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, describe, it } from 'node:test';
import { daemonConfig, type RunningDaemon, startDaemon, stopDaemon } from '../support/daemon.js';
import { tempDir } from '../support/paths.js';
import {
  killAll,
  openFds,
  processesWithEnv,
  runProcessesOf,
  runZombiesOf,
  uniqueTag,
} from '../support/processes.js';
import { eventually } from '../support/wait.js';

const total = 10_000;
const connections = 20;
const warmUp = 200;
/** Bounds the load loop so that a stuck daemon fails the test instead of hanging the suite. */
const loadDeadlineMs = 90_000;
const fdSlack = 10;
/** Requests on a check that always times out (~20 share each 200 ms run). */
const timeouts = 300;

function get(port: number, agent: Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(15_000, () => req.destroy(new Error('timed out')));
    req.on('error', () => resolve(-1));
    req.end();
  });
}

/** Sends `count` GETs over `connections` keep-alive sockets; returns how many got each status. */
async function load(port: number, count: number): Promise<Map<number, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const statuses = new Map<number, number>();
  const deadline = Date.now() + loadDeadlineMs;
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (sent < count && Date.now() < deadline) {
      sent += 1;
      const status = await get(port, agent);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    agent.destroy();
  }
  return statuses;
}

/** What a daemon leaves behind: zombie children, live descendants, marked processes, fds. */
function leftovers(pid: number, marker: string) {
  return {
    zombies: runZombiesOf(pid),
    descendants: runProcessesOf(pid),
    marked: processesWithEnv(marker),
  };
}

/**
 * Warms the daemon up, counts its fds, sends `count` requests, and asserts that every one got
 * `status` and that, once idle, nothing is left behind and no fd leaked.
 */
async function assertNoLeaks(daemon: RunningDaemon, marker: string, count: number, status: number) {
  const { port, pid } = daemon;
  const idle = (): boolean => {
    const left = leftovers(pid, marker);
    return left.descendants.length === 0 && left.marked.length === 0;
  };
  assert.deepEqual([...(await load(port, warmUp))], [[status, warmUp]], 'warm-up');
  assert.ok(
    await eventually(idle, 20_000),
    `warm-up left ${JSON.stringify(leftovers(pid, marker))}`,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const fdsBefore = openFds(pid);

  assert.deepEqual(
    [...(await load(port, count))],
    [[status, count]],
    `every request got ${status}`,
  );

  await eventually(idle, 20_000, 100);
  const left = leftovers(pid, marker);
  assert.deepEqual(left.zombies, [], 'no zombie children of the daemon');
  assert.deepEqual(left.descendants, [], 'no descendant of the daemon once idle');
  assert.deepEqual(left.marked, [], "no process of the check's, wherever it was reparented");
  let fdsAfter = openFds(pid);
  await eventually(() => (fdsAfter = openFds(pid)) <= fdsBefore + fdSlack, 20_000, 100);
  assert.ok(
    fdsAfter <= fdsBefore + fdSlack,
    `open fds grew from ${fdsBefore} to ${fdsAfter} over ${count} requests`,
  );
}

describe('checks under load leave nothing behind', { timeout: 180_000 }, () => {
  const dir = tempDir('hcd-procs-');
  const markers: string[] = [];
  const daemons: RunningDaemon[] = [];
  after(async () => {
    for (const daemon of daemons) await stopDaemon(daemon);
    killAll(markers.flatMap(processesWithEnv));
    dir.cleanup();
  });

  async function start(
    label: string,
    body: string,
  ): Promise<{ daemon: RunningDaemon; marker: string }> {
    const name = uniqueTag(label);
    const marker = `HEALTHCHECKD_CHECK=${name}`;
    markers.push(marker);
    const config = daemonConfig(dir.path, label, `[check:${name}]\n${body}`);
    const daemon = await startDaemon([config], { cwd: dir.path });
    daemons.push(daemon);
    return { daemon, marker };
  }

  it(`${total} requests on a command that forks: no zombie, no stray, no fd leak`, async () => {
    // The background sleep lets go of the output pipe, so the run ends at once and leaves it
    // behind in the check's process group: only the daemon's group kill stops it living 30 s.
    const command = `sh -c 'sleep 30 </dev/null >/dev/null 2>&1 & true' & true`;
    const { daemon, marker } = await start('forks', `command = "${command}"\n`);
    await assertNoLeaks(daemon, marker, total, 200);
  });

  it(`${timeouts} requests on a command that ignores SIGTERM and times out: nothing left`, async () => {
    // Every run times out and its group needs the SIGKILL 1 s later, so kills overlap runs.
    const command = `trap '' TERM; sh -c 'sleep 30' & sleep 30`;
    const { daemon, marker } = await start('stubborn', `timeout = 200ms\ncommand = "${command}"\n`);
    await assertNoLeaks(daemon, marker, timeouts, 503);
  });
});
