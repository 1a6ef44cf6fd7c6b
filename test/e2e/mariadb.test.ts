/**
 * End to end: the shipped examples/mysql-replica-lag.sh, run by a real healthcheckd, against a
 * real MariaDB replica of a real primary (both started here on loopback ports in a temp dir).
 * Every verdict is read the way a load balancer or an operator reads it: healthcheckd's HTTP
 * status, its health+json output and /metrics (the lag as perfdata). The script's parsing of recorded status texts is covered
 * by test/examples/mysql-replica-lag.test.ts.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { daemonConfig, type RunningDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { repoRoot } from '../support/paths.js';
import { requirePrograms } from '../support/programs.js';
import { waitUntil } from '../support/wait.js';
import { Cleanup, trackedTempDir, startTrackedDaemon, stopDaemon } from './helpers.js';
import { replicaStatus, startMariadb, type MariadbServer } from './mariadb.js';

const programs = requirePrograms({
  server: { names: ['mariadbd', 'mysqld'], debian: 'mariadb-server' },
  install: { names: ['mariadb-install-db', 'mysql_install_db'], debian: 'mariadb-server' },
  client: { names: ['mariadb', 'mysql'], debian: 'mariadb-client' },
});

const script = join(repoRoot, 'examples', 'mysql-replica-lag.sh');
/** MAX and WARN for the script: fail above 4 s of lag, warn above 1 s. */
const maxLag = 4;
const warnLag = 1;
const replPassword = 'e2e-repl-secret';
const monitorPassword = 'e2e-monitor-secret';

interface Verdict {
  readonly status: number;
  /** health+json `status` of the aggregate. */
  readonly health: string;
  /** The check's own entry. */
  readonly check: {
    readonly status: string;
    readonly output?: string;
    readonly exitCode?: number | null;
    readonly observedValue?: number;
    readonly observedUnit?: string;
  };
}

describe(
  'examples/mysql-replica-lag.sh in healthcheckd against a real MariaDB replica',
  {
    skip: programs.skip,
    timeout: 180_000,
  },
  () => {
    const cleanup = new Cleanup();
    let primary: MariadbServer;
    let replica: MariadbServer;
    let daemon: RunningDaemon;

    /** What a load balancer asking `GET /?format=json` learns. */
    const ask = async (): Promise<Verdict> => {
      const reply = await httpRequest(daemon.port, { path: '/?format=json', timeoutMs: 10_000 });
      const document = JSON.parse(reply.body) as {
        status: string;
        checks: Record<string, Verdict['check'][]>;
      };
      const check = document.checks['mysql-replica']?.[0];
      if (!check) throw new Error(`no mysql-replica check in ${reply.body}`);
      return { status: reply.status, health: document.status, check };
    };
    /** Polls healthcheckd until the verdict is accepted (at most `ms`). */
    const verdict = (what: string, accept: (v: Verdict) => boolean, ms = 20_000) =>
      waitUntil(what, ask, accept, ms, 200).catch((error: Error) => {
        throw new Error(
          `${error.message}\nreplica error log:\n${replica.errorLog().slice(-2_000)}`,
        );
      });
    /** The Prometheus text of /metrics. */
    const metrics = async (): Promise<string> =>
      (await httpRequest(daemon.port, { path: '/metrics', timeoutMs: 10_000 })).body;
    /** The check's lag gauge (from the script's `| lag=Ns;...` perfdata), or null. */
    const lagMetric = (text: string): number | null => {
      const line = /^healthcheckd_check_perfdata\{check="mysql-replica",label="lag"\} (\S+)$/m;
      const match = line.exec(text);
      return match ? Number(match[1]) : null;
    };
    /** Rows of e2e.t on the replica. */
    const replicated = async (): Promise<number> =>
      Number((await replica.sql('SELECT COUNT(*) FROM e2e.t')).trim());

    before(async () => {
      if (programs.skip) return;
      const dir = trackedTempDir('hcd-e2e-mariadb-');
      cleanup.add(() => dir.cleanup());
      if (/['"\s\\$`]/.test(dir.path + script)) {
        throw new Error(`cannot quote ${dir.path} or ${script} in the INI command; move them`);
      }
      const path = programs.path;
      [primary, replica] = await Promise.all([
        startMariadb(path, dir.path, 'primary', 1, [
          `--log-bin=${join(dir.path, 'primary', 'binlog')}`,
        ]),
        startMariadb(path, dir.path, 'replica', 2, [
          `--relay-log=${join(dir.path, 'replica', 'relay')}`,
        ]),
      ]);
      cleanup.add(() => primary.stop());
      cleanup.add(() => replica.stop());

      await primary.sql(
        `CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY '${replPassword}';` +
          `GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';` +
          // The check's own account, as docs/examples.md advises: REPLICA MONITOR and nothing
          // else. Created on the primary, it reaches the replica by replication.
          `CREATE USER 'monitor'@'localhost' IDENTIFIED BY '${monitorPassword}';` +
          `GRANT REPLICA MONITOR ON *.* TO 'monitor'@'localhost';` +
          'CREATE DATABASE e2e;' +
          'CREATE TABLE e2e.t (id INT AUTO_INCREMENT PRIMARY KEY,' +
          ' note VARCHAR(64), at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6));',
      );
      // From the start of the primary's binlog (empty gtid_slave_pos): the replica gets all of it.
      await replica.sql(
        `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port},` +
          ` MASTER_USER='repl', MASTER_PASSWORD='${replPassword}',` +
          ' MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE;',
      );
      await waitUntil('the replica to receive e2e.t', replicated, (n) => n === 0, 30_000, 200);

      const options = join(dir.path, 'monitor.cnf');
      writeFileSync(options, `[client]\nuser = monitor\npassword = ${monitorPassword}\n`, {
        mode: 0o600,
      });
      const config = daemonConfig(
        dir.path,
        'replica',
        [
          'status_warn = 200',
          '[check:mysql-replica]',
          // As docs/examples.md shows it: credentials in an option file named by MYSQL_OPTS,
          // MYSQL_OPTS before the script, the whole command quoted.
          `command = "MYSQL_OPTS='--defaults-extra-file=${options} --socket=${replica.socket}' ${script} ${maxLag} ${warnLag}"`,
          'timeout = 5s',
          'warn_exit_codes = 1',
          '',
        ].join('\n'),
      );
      // The script finds the client on PATH (mariadb, else mysql), as it would on a host.
      daemon = await startTrackedDaemon(['run', config], {
        env: { PATH: `${dirname(path.client)}:${process.env.PATH ?? ''}` },
      });
      cleanup.add(() => stopDaemon(daemon));
    });
    after(() => cleanup.run());

    it('passes (200) while the replica is in sync', async () => {
      await primary.sql("INSERT INTO e2e.t (note) VALUES ('one'), ('two'), ('three');");
      await waitUntil('the rows to replicate', replicated, (n) => n === 3, 20_000, 100);
      const v = await verdict('a pass', (x) => x.status === 200);
      assert.equal(v.health, 'pass');
      assert.equal(v.check.status, 'pass');
      assert.equal(v.check.exitCode, 0);
      assert.match(v.check.output ?? '', /^lag [01]s <= 1s \(max 4s\)/);
      const plain = await httpRequest(daemon.port);
      assert.equal(plain.status, 200);
      assert.equal(plain.body, 'OK');
    });

    it('fails (503) when replication is stopped, naming both stopped threads', async () => {
      await replica.sql('STOP SLAVE;');
      try {
        const v = await verdict('a fail', (x) => x.status === 503, 10_000);
        assert.equal(v.health, 'fail');
        assert.equal(v.check.status, 'fail');
        assert.equal(v.check.exitCode, 2);
        assert.match(
          v.check.output ?? '',
          /^replication not running: Slave_IO_Running=No, Slave_SQL_Running=No, lag NULL/,
        );
      } finally {
        await replica.sql('START SLAVE;');
      }
      await verdict('a pass after START SLAVE', (x) => x.status === 200);
    });

    it('fails when only the SQL thread stopped, and names that thread alone', async () => {
      await replica.sql('STOP SLAVE SQL_THREAD;');
      try {
        const v = await verdict('a fail', (x) => x.status === 503, 10_000);
        assert.match(
          v.check.output ?? '',
          /^replication not running: Slave_SQL_Running=No, lag NULL/,
        );
        assert.doesNotMatch(v.check.output ?? '', /Slave_IO_Running/, 'the IO thread still runs');
        assert.equal((await replicaStatus(replica)).Slave_IO_Running, 'Yes');
      } finally {
        await replica.sql('START SLAVE SQL_THREAD;');
      }
      await verdict('a pass after START SLAVE SQL_THREAD', (x) => x.status === 200);
    });

    it('warns, then fails while the replica lags beyond the threshold, and passes once caught up', async () => {
      // A delayed replica: events wait 60 s before the SQL thread applies them, and
      // Seconds_Behind_Master counts from the waiting event's timestamp, one second a second.
      await replica.sql('STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=60; START SLAVE;');
      try {
        await verdict('a pass before any write', (x) => x.status === 200, 10_000);
        await primary.sql("INSERT INTO e2e.t (note) VALUES ('delayed');");
        const warned = await verdict(
          `a warning (lag over ${warnLag}s)`,
          (x) => x.health !== 'pass',
        );
        assert.equal(
          warned.health,
          'warn',
          `lag within the warn window first: ${warned.check.output}`,
        );
        assert.equal(warned.status, 200, 'status_warn = 200: a lagging replica still serves');
        assert.equal(warned.check.exitCode, 1);
        assert.match(warned.check.output ?? '', /^lag [2-4]s > warn 1s \(max 4s\)/);
        const failed = await verdict(`a fail (lag over ${maxLag}s)`, (x) => x.status === 503);
        assert.equal(failed.health, 'fail');
        assert.equal(failed.check.exitCode, 2);
        const lag = /^lag (\d+)s > max 4s/.exec(failed.check.output ?? '');
        assert.ok(lag, `the output names the lag: ${failed.check.output}`);
        assert.ok(Number(lag[1]) > maxLag);
        assert.equal(failed.check.observedValue, Number(lag[1]), 'health+json: the lag, observed');
        assert.equal(failed.check.observedUnit, 's');
        // /metrics shows the last run's lag (the one the answer above ran, or a later one).
        const scraped = lagMetric(await metrics());
        assert.ok(scraped !== null && scraped > maxLag, `lag in /metrics: ${scraped}`);
        assert.equal(await replicated(), 3, 'the delayed row has not been applied yet');
      } finally {
        await replica.sql('STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=0; START SLAVE;');
      }
      const v = await verdict('a pass once caught up', (x) => x.status === 200);
      assert.equal(v.health, 'pass');
      assert.match(v.check.output ?? '', /^lag [01]s <= 1s/);
      const caughtUp = lagMetric(await metrics());
      assert.ok(caughtUp !== null && caughtUp <= warnLag, `lag in /metrics: ${caughtUp}`);
      await waitUntil('the delayed row to arrive', replicated, (n) => n === 4, 10_000, 100);
    });

    it('fails when the primary goes away, with the IO error', async () => {
      await primary.stop();
      const v = await verdict(
        'a fail with the IO error',
        (x) => x.status === 503 && /Last_IO_Error/.test(x.check.output ?? ''),
      );
      assert.match(
        v.check.output ?? '',
        /^replication not running: Slave_IO_Running=(Connecting|No)/,
      );
      assert.match(v.check.output ?? '', /lag NULL \(Last_IO_Error: .+\)/);
    });

    it('fails when the replica server itself is down: the client cannot connect', async () => {
      await replica.stop();
      const v = await verdict('a fail', (x) => x.status === 503, 15_000);
      assert.equal(v.check.exitCode, 2);
      assert.match(v.check.output ?? '', /^cannot read the replica status with \w+: ERROR 2002/);
    });
  },
);
