/**
 * End to end: a real HAProxy 2.6 in front of two workers, each with its own healthcheckd (an HTTP
 * port for `option httpchk` and an `[agent]` port for `agent-check`). The workers are tiny HTTP
 * servers in this process answering their own name, so traffic through HAProxy's frontend shows
 * where HAProxy sends it; HAProxy's view comes from its runtime API (stats socket).
 *
 * What HAProxy 2.6 shows, as observed (and asserted) here:
 * - a failing check (503) takes the server DOWN; while the agent also says `down #reason`, the
 *   status column can read `DOWN (agent)`;
 * - `healthcheckd down` with the default status_maintenance = 503: the health check fails, so
 *   the status column says DOWN (a stopped server never shows DRAIN); the agent's `drain` still
 *   arrives and shows as the forced-drain bit (0x08) of `show servers state`'s srv_admin_state;
 * - with status_maintenance = 404 and `http-check disable-on-404`: NOLB (no new sessions);
 * - an agent `drain` while the health check passes: `DRAIN (agent)`; the weight column keeps the
 *   agent's last weight (drain is an admin state, not a weight of 0);
 * - an agent weight `37%` of a server with `weight 100`: the weight column reads 37, and
 *   roundrobin gives the server 37 requests in 137;
 * - SIGTERM with shutdown_delay: HAProxy takes the server out while healthcheckd still runs.
 *
 * The last suite runs the shipped examples/haproxy.cfg as written (addresses and ports aside)
 * and found that it gives servers the default weight 1, which turns every agent weight under
 * 100% into 0 (a todo test; see its message).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, type RunningDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { freePort, listen } from '../support/listen.js';
import { repoRoot } from '../support/paths.js';
import { requirePrograms, requireProgram } from '../support/programs.js';
import { waitUntil } from '../support/wait.js';
import {
  adminForcedDrain,
  showServersState,
  showStat,
  startHaproxy,
  type HaproxyProcess,
  type StatRow,
} from './haproxy.js';
import { Cleanup, trackedTempDir, startTrackedDaemon, spawnGroup, stopDaemon } from './helpers.js';

const programs = requirePrograms({ haproxy: { names: ['haproxy'], debian: 'haproxy' } });

/** Generous bounds for a shared 2-core machine; with inter 200ms the changes take about 1 s. */
const settleMs = 15_000;
/** How fast HAProxy must notice a failing healthcheckd: fall 2 x inter 200ms plus slack. */
const noticeMs = 10_000;
/** A maintenance flag reaches the daemon's answers within 100 ms (it stats its spool that often). */
const flagMs = 5_000;

interface WorkerSpec {
  readonly name: string;
  /** Extra lines for `[healthcheckd]`. */
  readonly daemon?: string;
  /** Extra sections after `[check:app]`. */
  readonly checks?: string;
  /** `[agent]` lines besides the port. */
  readonly agent?: string;
}

interface ClusterSpec {
  readonly workers: readonly WorkerSpec[];
  /** Backend lines after `http-check expect status 200`. */
  readonly backend?: readonly string[];
  /** The health check's path; default `/` (the aggregate). */
  readonly checkPath?: string;
}

interface Worker {
  readonly name: string;
  /** The file `[check:app]` tests; remove it to make the worker unfit. */
  readonly flag: string;
  readonly config: string;
  readonly daemon: RunningDaemon;
  readonly agentPort: number;
}

interface Cluster {
  readonly workers: ReadonlyMap<string, Worker>;
  readonly haproxy: HaproxyProcess;
  readonly frontendPort: number;
  worker(name: string): Worker;
  /** This worker's row of `show stat`. */
  stat(name: string): Promise<StatRow>;
  /** This worker's row of `show servers state workers`. */
  state(name: string): Promise<StatRow>;
  /** Sends `count` requests through the frontend; counts answers by body (worker name). */
  traffic(count: number): Promise<Record<string, number>>;
  /** Waits until the worker's status column matches. */
  waitStatus(name: string, pattern: RegExp, ms?: number): Promise<StatRow>;
}

/** Starts the workers, their daemons and HAProxy; every piece is registered with `cleanup`. */
async function startCluster(spec: ClusterSpec, cleanup: Cleanup): Promise<Cluster> {
  if (programs.skip) throw new Error(programs.skip);
  const dir = trackedTempDir('hcd-e2e-haproxy-');
  cleanup.add(() => dir.cleanup());
  const workers = new Map<string, Worker>();
  const servers: string[] = [];
  for (const w of spec.workers) {
    const app = createServer((_req, res) => {
      res.setHeader('Connection', 'close');
      res.end(w.name);
    });
    const appPort = await listen(app);
    cleanup.add(
      () =>
        new Promise<void>((resolve) => {
          app.closeAllConnections();
          app.close(() => resolve());
        }),
    );
    const home = join(dir.path, w.name);
    mkdirSync(home);
    const flag = join(home, 'fit');
    writeFileSync(flag, '');
    const agentPort = await freePort();
    const config = join(home, 'healthcheckd.config');
    writeFileSync(
      config,
      [
        '[healthcheckd]',
        'port = 0',
        'bind = 127.0.0.1',
        `piddir = ${home}`,
        `spool_dir = ${home}/spool`,
        w.daemon ?? '',
        '[check:app]',
        `command = "test -e ${flag} || { echo ${w.name} is unfit; exit 2; }"`,
        w.checks ?? '',
        '[agent]',
        `port = ${agentPort}`,
        w.agent ?? '',
        '',
      ].join('\n'),
    );
    const daemon = await startTrackedDaemon(['run', config]);
    cleanup.add(() => stopDaemon(daemon));
    workers.set(w.name, { name: w.name, flag, config, daemon, agentPort });
    servers.push(
      `    server ${w.name} 127.0.0.1:${appPort} weight 100 check port ${daemon.port}` +
        ` agent-check agent-port ${agentPort} agent-inter 300ms`,
    );
  }
  const frontendPort = await freePort();
  const haproxy = await startHaproxy(programs.path.haproxy, dir.path, (socket) =>
    [
      'global',
      `    stats socket ${socket} mode 600 level admin`,
      '    stats timeout 10s',
      'defaults',
      '    mode http',
      '    timeout connect 1s',
      '    timeout client 5s',
      '    timeout server 5s',
      '    timeout check 1s',
      'frontend www',
      `    bind 127.0.0.1:${frontendPort}`,
      '    default_backend workers',
      'backend workers',
      '    balance roundrobin',
      `    option httpchk GET ${spec.checkPath ?? '/'}`,
      '    http-check expect status 200',
      ...(spec.backend ?? []).map((line) => `    ${line}`),
      '    default-server inter 200ms fall 2 rise 2',
      ...servers,
      '',
    ].join('\n'),
  );
  cleanup.add(() => haproxy.process.stop(5_000));

  const worker = (name: string): Worker => {
    const found = workers.get(name);
    if (!found) throw new Error(`no worker ${name}`);
    return found;
  };
  const stat = async (name: string): Promise<StatRow> => {
    const row = (await showStat(haproxy.socket)).get(`workers/${name}`);
    if (!row) throw new Error(`show stat has no row workers/${name}`);
    return row;
  };
  const state = async (name: string): Promise<StatRow> => {
    const row = (await showServersState(haproxy.socket, 'workers')).get(name);
    if (!row) throw new Error(`show servers state has no server ${name}`);
    return row;
  };
  const traffic = async (count: number): Promise<Record<string, number>> => {
    const seen: Record<string, number> = {};
    for (let i = 0; i < count; i += 1) {
      const reply = await httpRequest(frontendPort, { timeoutMs: 5_000 });
      const key = reply.status === 200 ? reply.body : `HTTP ${reply.status}`;
      seen[key] = (seen[key] ?? 0) + 1;
    }
    return seen;
  };
  const waitStatus = (name: string, pattern: RegExp, ms = settleMs): Promise<StatRow> =>
    waitUntil(
      `HAProxy status of ${name} to match ${pattern}`,
      () => stat(name),
      (row) => pattern.test(row.status ?? ''),
      ms,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nHAProxy said:\n${haproxy.process.output()}`);
    });
  return {
    workers,
    haproxy,
    frontendPort,
    worker,
    stat,
    state,
    traffic,
    waitStatus,
  };
}

/**
 * The result of the last check or agent check in a stats row: HAProxy prefixes `* ` while the
 * next one is in progress, which a busy machine makes likely at any moment.
 */
function lastResult(value: string | undefined): string {
  return (value ?? '').replace(/^\* /, '');
}

/** A short view of a server's row for assertion messages. */
function brief(row: StatRow): string {
  const keys = [
    'svname',
    'status',
    'weight',
    'check_status',
    'agent_status',
    'last_chk',
    'last_agt',
  ];
  return keys.map((key) => `${key}=${row[key] ?? ''}`).join(' ');
}

/** Every request answered 200 by A or B, and each got some. */
function assertBoth(seen: Record<string, number>, names = ['A', 'B']): void {
  const keys = Object.keys(seen).sort();
  assert.deepEqual(keys, names, `both workers serve, nothing else: ${JSON.stringify(seen)}`);
}

describe(
  'HAProxy health check and agent check against two healthcheckd workers',
  {
    skip: programs.skip,
    timeout: 120_000,
  },
  () => {
    const cleanup = new Cleanup();
    let cluster: Cluster;
    before(async () => {
      cluster = await startCluster({ workers: [{ name: 'A' }, { name: 'B' }] }, cleanup);
    });
    after(() => cleanup.run());

    it('(a) marks both workers UP and sends traffic to both', async () => {
      for (const name of ['A', 'B']) {
        await waitUntil(
          `${name} UP after a passing health check`,
          () => cluster.stat(name),
          (row) => row.status === 'UP' && lastResult(row.check_status) === 'L7OK',
          settleMs,
        );
      }
      // The agent answered too: `up ready` (weight = none) leaves the configured weight.
      const a = await waitUntil(
        'an agent answer for A',
        () => cluster.stat('A'),
        (row) => lastResult(row.agent_status) === 'L7OK',
        settleMs,
      );
      assert.equal(a.weight, '100', brief(a));
      const seen = await cluster.traffic(20);
      assert.deepEqual(seen, { A: 10, B: 10 }, 'roundrobin over two equal UP servers');
    });

    it(
      '(a) serves a real client (curl) through the frontend',
      {
        skip: requireProgram('curl'),
      },
      async () => {
        const curl = spawnGroup('curl', [
          '-sS',
          '-i',
          '--max-time',
          '10',
          `http://127.0.0.1:${cluster.frontendPort}/`,
        ]);
        const exit = await curl.exited;
        await curl.stop();
        assert.equal(exit.code, 0, curl.output());
        assert.match(curl.output(), /^HTTP\/1\.1 200 OK/);
        assert.match(curl.output(), /\r\n\r\n[AB]$/);
      },
    );

    it('(b) takes A DOWN when its check fails, sends everything to B, and brings A back', async (t) => {
      const a = cluster.worker('A');
      rmSync(a.flag);
      const started = Date.now();
      try {
        const reply = await httpRequest(a.daemon.port);
        assert.equal(reply.status, 503, 'healthcheckd A fails');
        const down = await cluster.waitStatus('A', /^DOWN/, noticeMs);
        assert.ok(Date.now() - started < noticeMs, `A went down after ${Date.now() - started} ms`);
        // The status column may read "DOWN" or "DOWN (agent)": the agent says `down #A: A is unfit`
        // at the same time as the health check fails, whichever HAProxy noticed first.
        assert.match(down.status ?? '', /^DOWN( \(agent\))?$/, brief(down));
        t.diagnostic(`after ${Date.now() - started} ms: ${brief(down)}`);
        // The agent's reason reaches HAProxy: `down #app: A is unfit`.
        await waitUntil(
          "the agent's reason in HAProxy's last agent check",
          () => cluster.stat('A'),
          (row) => /down \(app: A is unfit\)/.test(row.last_agt ?? ''),
          settleMs,
        );
        assert.deepEqual(await cluster.traffic(10), { B: 10 }, 'all traffic goes to B');
      } finally {
        writeFileSync(a.flag, '');
      }
      const up = await cluster.waitStatus('A', /^UP$/);
      assert.equal(up.weight, '100', brief(up));
      assertBoth(await cluster.traffic(20));
    });

    it('(c) healthcheckd down takes A out of rotation (DOWN plus the agent drain); up brings it back', async () => {
      const a = cluster.worker('A');
      const down = await runCli(['down', a.config, '--reason', 'e2e deploy']);
      assert.equal(down.code, 0, down.stderr);
      try {
        // The daemon looks at its spool at most every 100 ms: the flag takes effect within that.
        const reply = await waitUntil(
          'healthcheckd A to answer maintenance',
          () => httpRequest(a.daemon.port),
          (r) => r.status !== 200,
          flagMs,
        );
        assert.equal(reply.status, 503, 'status_maintenance defaults to 503');
        assert.equal(reply.body, 'MAINTENANCE: e2e deploy');
        const row = await cluster.waitStatus('A', /^DOWN/, noticeMs);
        // HAProxy 2.6 shows DRAIN only for a running server; the 503 stops it, so the status
        // column says DOWN. The agent's `drain` is there all the same, as the forced-drain bit.
        const drained = await waitUntil(
          "the agent's drain in A's admin state",
          () => cluster.state('A'),
          (state) => (Number(state.srv_admin_state) & adminForcedDrain) !== 0,
          settleMs,
        );
        assert.equal(drained.srv_op_state, '0', 'A is stopped (DOWN), not merely draining');
        assert.equal((await cluster.stat('A')).status, 'DOWN', brief(row));
        assert.deepEqual(await cluster.traffic(10), { B: 10 }, 'all traffic goes to B');
      } finally {
        const up = await runCli(['up', a.config]);
        assert.equal(up.code, 0, up.stderr);
      }
      await cluster.waitStatus('A', /^UP$/);
      const state = await waitUntil(
        "A's admin state to clear",
        () => cluster.state('A'),
        (s) => s.srv_admin_state === '0',
        settleMs,
      );
      assert.equal(state.srv_uweight, '100');
      assertBoth(await cluster.traffic(20));
    });
    it('(c) a timed down (--for 3s) takes A out, and A comes back by itself when it ends', async () => {
      const a = cluster.worker('A');
      const down = await runCli(['down', a.config, '--reason', 'short', '--for', '3s']);
      assert.equal(down.code, 0, down.stderr);
      const reply = await waitUntil(
        'healthcheckd A to answer maintenance',
        () => httpRequest(a.daemon.port),
        (r) => r.status !== 200,
        flagMs,
      );
      assert.equal(reply.status, 503);
      const retryAfter = Number(reply.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 3, `Retry-After: ${reply.headers['retry-after']}`);
      await cluster.waitStatus('A', /^DOWN/, noticeMs);
      // Nobody runs `up`: the flag expires and healthcheckd answers 200 again.
      await cluster.waitStatus('A', /^UP$/);
      await waitUntil(
        "A's admin state to clear",
        () => cluster.state('A'),
        (s) => s.srv_admin_state === '0',
        settleMs,
      );
      assertBoth(await cluster.traffic(20));
    });
  },
);

describe(
  'HAProxy disable-on-404 with status_maintenance = 404',
  {
    skip: programs.skip,
    timeout: 60_000,
  },
  () => {
    const cleanup = new Cleanup();
    let cluster: Cluster;
    before(async () => {
      cluster = await startCluster(
        {
          workers: [{ name: 'A', daemon: 'status_maintenance = 404' }, { name: 'B' }],
          backend: ['http-check disable-on-404'],
        },
        cleanup,
      );
      await cluster.waitStatus('A', /^UP$/);
      await cluster.waitStatus('B', /^UP$/);
    });
    after(() => cleanup.run());

    it('(d) healthcheckd down puts A in NOLB (no new sessions) rather than DOWN; up brings it back', async () => {
      const a = cluster.worker('A');
      const down = await runCli(['down', a.config, '--reason', 'soft drain']);
      assert.equal(down.code, 0, down.stderr);
      try {
        const reply = await waitUntil(
          'healthcheckd A to answer maintenance',
          () => httpRequest(a.daemon.port),
          (r) => r.status !== 200,
          flagMs,
        );
        assert.equal(reply.status, 404);
        assert.equal(reply.body, 'MAINTENANCE: soft drain');
        const row = await cluster.waitStatus('A', /^(NOLB|DOWN)/, noticeMs);
        assert.equal(row.status, 'NOLB', `404 stops A softly, never DOWN: ${brief(row)}`);
        const state = await cluster.state('A');
        assert.equal(state.srv_op_state, '3', 'SRV_ST_STOPPING: no new load-balanced sessions');
        assert.deepEqual(await cluster.traffic(10), { B: 10 }, 'new traffic goes to B');
        // And it stays NOLB: the 404 is a conditional pass, not a failure counting toward fall.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        assert.equal((await cluster.stat('A')).status, 'NOLB');
      } finally {
        const up = await runCli(['up', a.config]);
        assert.equal(up.code, 0, up.stderr);
      }
      await cluster.waitStatus('A', /^UP$/);
      await waitUntil(
        "A's admin state to clear",
        () => cluster.state('A'),
        (s) => s.srv_admin_state === '0',
        settleMs,
      );
      assertBoth(await cluster.traffic(20));
    });
  },
);

describe('HAProxy agent weight and agent drain', { skip: programs.skip, timeout: 60_000 }, () => {
  const cleanup = new Cleanup();
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster(
      {
        // The health check asks /check/app only, so a flag on `aux` drains through the agent
        // while the health check keeps passing.
        checkPath: '/check/app',
        workers: [
          { name: 'A', checks: '[check:aux]\ncommand = true', agent: 'weight = command:echo 37%' },
          { name: 'B', agent: 'weight = none' },
        ],
      },
      cleanup,
    );
    await cluster.waitStatus('A', /^UP$/);
    await cluster.waitStatus('B', /^UP$/);
  });
  after(() => cleanup.run());

  it("(e) applies the agent's 37% to A's weight 100, and the traffic follows it", async () => {
    const row = await waitUntil(
      "A's weight to follow the agent",
      () => cluster.stat('A'),
      (r) => r.weight === '37',
      settleMs,
    );
    assert.equal(row.status, 'UP', brief(row));
    const state = await cluster.state('A');
    assert.equal(state.srv_uweight, '37', 'current weight: 37% of 100');
    assert.equal(state.srv_iweight, '100', 'configured weight unchanged');
    assert.equal((await cluster.stat('B')).weight, '100', 'weight = none leaves B at 100');
    const seen = await cluster.traffic(137);
    const share = seen.A ?? 0;
    assert.equal(share + (seen.B ?? 0), 137, JSON.stringify(seen));
    assert.ok(share >= 27 && share <= 47, `A gets about 37 of 137: ${JSON.stringify(seen)}`);
  });

  it('(e) shows an agent drain as DRAIN while the health check passes; up restores A', async () => {
    const a = cluster.worker('A');
    const down = await runCli(['down', a.config, '--check', 'aux', '--reason', 'drain only']);
    assert.equal(down.code, 0, down.stderr);
    try {
      await waitUntil(
        'healthcheckd A to put the aggregate in maintenance',
        () => httpRequest(a.daemon.port),
        (r) => r.status === 503,
        flagMs,
      );
      assert.equal((await httpRequest(a.daemon.port, { path: '/check/app' })).status, 200);
      const row = await cluster.waitStatus('A', /^DRAIN/, noticeMs);
      assert.equal(row.status, 'DRAIN (agent)', brief(row));
      assert.equal(lastResult(row.check_status), 'L7OK', 'the health check still passes');
      const state = await cluster.state('A');
      assert.equal(state.srv_op_state, '2', 'running');
      assert.ok((Number(state.srv_admin_state) & adminForcedDrain) !== 0, JSON.stringify(state));
      assert.deepEqual(
        await cluster.traffic(10),
        { B: 10 },
        'a drained server gets no new traffic',
      );
    } finally {
      const up = await runCli(['up', a.config, '--check', 'aux']);
      assert.equal(up.code, 0, up.stderr);
    }
    const row = await cluster.waitStatus('A', /^UP$/);
    assert.equal(row.weight, '37', brief(row));
    assertBoth(await cluster.traffic(20));
  });
});

describe(
  'HAProxy and a stopping healthcheckd (shutdown_delay)',
  { skip: programs.skip, timeout: 60_000 },
  () => {
    const cleanup = new Cleanup();
    let cluster: Cluster;
    before(async () => {
      cluster = await startCluster(
        { workers: [{ name: 'A', daemon: 'shutdown_delay = 12s' }, { name: 'B' }] },
        cleanup,
      );
      await cluster.waitStatus('A', /^UP$/);
      await cluster.waitStatus('B', /^UP$/);
    });
    after(() => cleanup.run());

    it('(f) takes A out of rotation while its healthcheckd is still draining after SIGTERM', async () => {
      const a = cluster.worker('A');
      a.daemon.child.kill('SIGTERM');
      const row = await cluster.waitStatus('A', /^DOWN/, noticeMs);
      assert.equal(a.daemon.child.exitCode, null, 'healthcheckd A still runs (shutdown_delay)');
      // During the delay the agent answers `drain` too.
      const state = await waitUntil(
        "the agent's drain in A's admin state",
        () => cluster.state('A'),
        (s) => (Number(s.srv_admin_state) & adminForcedDrain) !== 0,
        noticeMs,
      );
      assert.equal(a.daemon.child.exitCode, null, 'still within shutdown_delay');
      assert.equal(state.srv_op_state, '0', brief(row));
      assert.deepEqual(await cluster.traffic(10), { B: 10 }, 'all traffic goes to B');
      const exit = await waitUntil(
        'healthcheckd A to stop after its shutdown_delay',
        async () => a.daemon.child.exitCode,
        (code) => code !== null,
        12_000 + settleMs,
      );
      assert.equal(exit, 0);
      assert.match((await cluster.stat('A')).status ?? '', /^DOWN/);
    });
  },
);

describe(
  'the shipped examples/haproxy.cfg, as written',
  { skip: programs.skip, timeout: 90_000 },
  () => {
    // Two workers on two loopback addresses, each with its own healthcheckd on the same two
    // ports, exactly as the example expects of two hosts; only addresses, ports and the stats
    // socket's path are changed, and its `log stdout` line is dropped (logs off). Each agent's
    // weight is the first line of a file the test writes (`weight = command:cat FILE`), standing
    // for `weight = cpu` of examples/cpu-pool.config.
    const cleanup = new Cleanup();
    const hosts = { worker1: '127.0.0.11', worker2: '127.0.0.12' } as const;
    type Name = keyof typeof hosts;
    const names = Object.keys(hosts) as Name[];
    const flags = {} as Record<Name, string>;
    const weights = {} as Record<Name, string>;
    let haproxy: HaproxyProcess;
    let frontendPort = 0;
    const stat = async (name: Name): Promise<StatRow> => {
      const row = (await showStat(haproxy.socket)).get(`workers/${name}`);
      if (!row) throw new Error(`show stat has no row workers/${name}`);
      return row;
    };
    const waitStatus = (name: Name, pattern: RegExp, ms: number): Promise<StatRow> =>
      waitUntil(
        `${name} to match ${pattern}`,
        () => stat(name),
        (r) => pattern.test(r.status ?? ''),
        ms,
      );
    const traffic = async (count: number): Promise<Record<string, number>> => {
      const seen: Record<string, number> = {};
      for (let i = 0; i < count; i += 1) {
        const reply = await httpRequest(frontendPort, { timeoutMs: 5_000 });
        const key = reply.status === 200 ? reply.body : `HTTP ${reply.status}`;
        seen[key] = (seen[key] ?? 0) + 1;
      }
      return seen;
    };

    before(async () => {
      if (programs.skip) return;
      const dir = trackedTempDir('hcd-e2e-example-');
      cleanup.add(() => dir.cleanup());
      const httpPort = await freePort();
      const agentPort = await freePort();
      frontendPort = await freePort();
      const apps = {} as Record<Name, number>;
      for (const name of names) {
        const app = createServer((_req, res) => {
          res.setHeader('Connection', 'close');
          res.end(name);
        });
        apps[name] = await new Promise<number>((resolve, reject) => {
          app.once('error', reject);
          app.listen(0, hosts[name], () => {
            const address = app.address();
            resolve(typeof address === 'object' && address ? address.port : 0);
          });
        });
        cleanup.add(
          () =>
            new Promise<void>((resolve) => {
              app.closeAllConnections();
              app.close(() => resolve());
            }),
        );
        const home = join(dir.path, name);
        mkdirSync(home);
        flags[name] = join(home, 'fit');
        writeFileSync(flags[name], '');
        weights[name] = join(home, 'weight');
        writeFileSync(weights[name], '100%\n');
        const config = join(home, 'healthcheckd.config');
        writeFileSync(
          config,
          [
            '[healthcheckd]',
            `port = ${httpPort}`,
            `bind = ${hosts[name]}`,
            `piddir = ${home}`,
            `spool_dir = ${home}/spool`,
            '[check:app]',
            `command = "test -e ${flags[name]} || { echo ${name} is unfit; exit 2; }"`,
            '[agent]',
            `port = ${agentPort}`,
            `weight = command:cat ${weights[name]}`,
            '',
          ].join('\n'),
        );
        const daemon = await startTrackedDaemon(['run', config]);
        cleanup.add(() => stopDaemon(daemon));
      }
      const shipped = readFileSync(join(repoRoot, 'examples', 'haproxy.cfg'), 'utf8');
      haproxy = await startHaproxy(programs.path.haproxy, dir.path, (socket) => {
        let text = shipped;
        const replace = (from: RegExp, to: string): void => {
          const all = new RegExp(from.source, `${from.flags}g`);
          assert.ok(all.test(text), `examples/haproxy.cfg no longer has ${from}; update this test`);
          text = text.replace(all, to);
        };
        replace(/^ *log stdout.*$/m, '');
        replace(
          /stats socket \/run\/haproxy\/admin\.sock mode 660/,
          `stats socket ${socket} mode 600`,
        );
        replace(/bind :80$/m, `bind 127.0.0.1:${frontendPort}`);
        replace(/check port 9999/, `check port ${httpPort}`);
        replace(/agent-port 9777/, `agent-port ${agentPort}`);
        replace(/192\.0\.2\.11:8080/, `${hosts.worker1}:${apps.worker1}`);
        replace(/192\.0\.2\.12:8080/, `${hosts.worker2}:${apps.worker2}`);
        return text;
      });
      cleanup.add(() => haproxy.process.stop(5_000));
      // inter 2s, fall 2, rise 2, agent-inter 2s as shipped: the bounds are wider here.
      await waitStatus('worker1', /^UP$/, 15_000);
      await waitStatus('worker2', /^UP$/, 15_000);
    });
    after(() => cleanup.run());

    it('takes worker1 DOWN on a failing check and back UP', async (t) => {
      assertBoth(await traffic(16), names);
      rmSync(flags.worker1);
      const started = Date.now();
      try {
        const down = await waitStatus('worker1', /^DOWN/, 15_000);
        t.diagnostic(`worker1 DOWN after ${Date.now() - started} ms: ${brief(down)}`);
        assert.deepEqual(await traffic(6), { worker2: 6 });
      } finally {
        writeFileSync(flags.worker1, '');
      }
      await waitStatus('worker1', /^UP$/, 20_000);
      assertBoth(await traffic(16), names);
    });

    it('weighs the workers by their agents (60% and 80%) and keeps serving', {}, async () => {
      writeFileSync(weights.worker1, '60%\n');
      writeFileSync(weights.worker2, '80%\n');
      try {
        const rows = await waitUntil(
          'both agents weights to reach HAProxy',
          () => Promise.all(names.map(stat)),
          (r) => r.every((row) => row.weight !== '1'),
          15_000,
        );
        const seen = await traffic(14);
        assert.deepEqual(
          Object.keys(seen).sort(),
          names,
          `both workers serve: ${JSON.stringify(seen)}; ${rows.map(brief).join('; ')}`,
        );
        assert.ok(
          rows.every((row) => Number(row.weight) > 0),
          `agent weights 60% and 80% keep the workers in rotation: ${rows.map(brief).join('; ')}`,
        );
      } finally {
        writeFileSync(weights.worker1, '100%\n');
        writeFileSync(weights.worker2, '100%\n');
      }
    });
  },
);
