import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { binPath as bin, examples, tempDir } from '../support/paths.js';

const script = join(examples, 'mysql-replica-lag.sh');

type Fields = readonly (readonly [string, string])[];

/** Renders rows as the mysql/mariadb client prints `\G` output: names right-aligned. */
function vertical(...rows: Fields[]): string {
  return rows
    .map((fields, index) => {
      const width = Math.max(...fields.map(([name]) => name.length));
      const header = `*************************** ${index + 1}. row ***************************`;
      return [header, ...fields.map(([name, value]) => `${name.padStart(width)}: ${value}`)].join(
        '\n',
      );
    })
    .join('\n')
    .concat('\n');
}

interface Replica {
  readonly io?: string;
  readonly sql?: string;
  readonly lag?: string;
  readonly ioError?: string;
  readonly sqlError?: string;
  readonly channel?: string;
}

/** MariaDB 10.11 (and MySQL before 8.0.22): Slave_* / Master_* names, as captured from a real replica. */
function mariadb(r: Replica = {}): Fields {
  return [
    [
      'Slave_IO_State',
      r.io === 'Yes' || r.io === undefined ? 'Waiting for master to send event' : '',
    ],
    ['Master_Host', '127.0.0.1'],
    ['Master_User', 'repl'],
    ['Master_Port', '33061'],
    ['Connect_Retry', '60'],
    ['Master_Log_File', 'mysql-bin.000001'],
    ['Read_Master_Log_Pos', '1418'],
    ['Relay_Log_File', 'p2-relay-bin.000002'],
    ['Relay_Log_Pos', '832'],
    ['Relay_Master_Log_File', 'mysql-bin.000001'],
    ['Slave_IO_Running', r.io ?? 'Yes'],
    ['Slave_SQL_Running', r.sql ?? 'Yes'],
    ['Replicate_Do_DB', ''],
    ['Replicate_Ignore_DB', ''],
    ['Last_Errno', r.sqlError ? '1062' : '0'],
    ['Last_Error', r.sqlError ?? ''],
    ['Skip_Counter', '0'],
    ['Exec_Master_Log_Pos', '1418'],
    ['Relay_Log_Space', '1138'],
    ['Until_Condition', 'None'],
    ['Master_SSL_Allowed', 'No'],
    ['Seconds_Behind_Master', r.lag ?? '0'],
    ['Master_SSL_Verify_Server_Cert', 'No'],
    ['Last_IO_Errno', r.ioError ? '2003' : '0'],
    ['Last_IO_Error', r.ioError ?? ''],
    ['Last_SQL_Errno', r.sqlError ? '1062' : '0'],
    ['Last_SQL_Error', r.sqlError ?? ''],
    ['Master_Server_Id', '1'],
    ['Using_Gtid', 'Slave_Pos'],
    ['Gtid_IO_Pos', '0-1-7'],
    ['Parallel_Mode', 'optimistic'],
    ['SQL_Delay', '0'],
    ['SQL_Remaining_Delay', 'NULL'],
    ['Slave_SQL_Running_State', 'Slave has read all relay log; waiting for more updates'],
    ['Slave_DDL_Groups', '4'],
    ['Slave_Non_Transactional_Groups', '0'],
    ['Slave_Transactional_Groups', '4'],
    ['Replicate_Rewrite_DB', ''],
  ];
}

/** MySQL 8.0.22+ SHOW REPLICA STATUS: Replica_* / Source_* names, a GTID set over two lines. */
function mysql8(r: Replica = {}): Fields {
  return [
    ['Replica_IO_State', 'Waiting for source to send event'],
    ['Source_Host', 'db-primary.example'],
    ['Source_User', 'repl'],
    ['Source_Port', '3306'],
    ['Connect_Retry', '60'],
    ['Source_Log_File', 'binlog.000002'],
    ['Read_Source_Log_Pos', '1307'],
    ['Relay_Log_File', 'replica-relay-bin.000003'],
    ['Relay_Log_Pos', '1508'],
    ['Relay_Source_Log_File', 'binlog.000002'],
    ['Replica_IO_Running', r.io ?? 'Yes'],
    ['Replica_SQL_Running', r.sql ?? 'Yes'],
    ['Last_Errno', '0'],
    ['Last_Error', ''],
    ['Exec_Source_Log_Pos', '1307'],
    ['Seconds_Behind_Source', r.lag ?? '3'],
    ['Last_IO_Errno', r.ioError ? '2005' : '0'],
    ['Last_IO_Error', r.ioError ?? ''],
    ['Last_SQL_Errno', '0'],
    ['Last_SQL_Error', r.sqlError ?? ''],
    ['Source_UUID', '3e11fa47-71ca-11e1-9e33-c80aa9429562'],
    ['Replica_SQL_Running_State', 'Replica has read all relay log; waiting for more updates'],
    [
      'Executed_Gtid_Set',
      '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,\n4d22fa47-71ca-11e1-9e33-c80aa9429562:1-3',
    ],
    ['Auto_Position', '1'],
    ['Channel_Name', r.channel ?? ''],
    ['Network_Namespace', ''],
  ];
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const { path: dir, cleanup } = tempDir('hcd-mysql-lag-');
let fixtures = 0;

function fixture(text: string): string {
  const file = join(dir, `status-${++fixtures}.txt`);
  writeFileSync(file, text);
  return file;
}

function lagScript(args: readonly string[], env: NodeJS.ProcessEnv): Run {
  const result = spawnSync(script, args, {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, MYSQL_STATUS_FILE: '', MYSQL_OPTS: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the script on a status text, as if the server had answered it. */
function judge(text: string, ...args: string[]): Run {
  return lagScript(args.length > 0 ? args : ['30'], { MYSQL_STATUS_FILE: fixture(text) });
}

describe('examples/mysql-replica-lag.sh on status text', { timeout: 60_000 }, () => {
  after(cleanup);

  it('passes an in-sync replica with SHOW REPLICA STATUS names (MySQL 8.0.22+)', () => {
    const result = judge(vertical(mysql8({ lag: '3' })), '30');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stdout, 'lag 3s <= 30s | lag=3s;;30;0\n');
  });

  it('passes an in-sync replica with SHOW SLAVE STATUS names (MariaDB, older MySQL)', () => {
    const result = judge(vertical(mariadb({ lag: '0' })), '30');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stdout, 'lag 0s <= 30s | lag=0s;;30;0\n');
  });

  it('passes a lag equal to the maximum', () => {
    assert.equal(judge(vertical(mariadb({ lag: '30' })), '30').code, 0);
  });

  it('fails (2) a lag over the maximum', () => {
    const result = judge(vertical(mysql8({ lag: '45' })), '30', '10');
    assert.equal(result.code, 2);
    assert.equal(result.stdout, 'lag 45s > max 30s | lag=45s;10;30;0\n');
  });

  it('warns (1) between WARN and MAX, and passes at or under WARN', () => {
    const warn = judge(vertical(mariadb({ lag: '15' })), '30', '10');
    assert.equal(warn.code, 1);
    assert.equal(warn.stdout, 'lag 15s > warn 10s (max 30s) | lag=15s;10;30;0\n');
    const pass = judge(vertical(mariadb({ lag: '10' })), '30', '10');
    assert.equal(pass.code, 0);
    assert.equal(pass.stdout, 'lag 10s <= 10s (max 30s) | lag=10s;10;30;0\n');
  });

  it('fails (2) a NULL lag with the IO thread stopped, naming the thread and its error', () => {
    const ioError =
      "error reconnecting to master 'repl@127.0.0.1:33061' - retry-time: 60  maximum-retries: 100000  message: Can't connect to server on '127.0.0.1' (111 \"Connection refused\")";
    const result = judge(vertical(mariadb({ io: 'No', lag: 'NULL', ioError })), '30', '10');
    assert.equal(result.code, 2);
    assert.match(result.stdout, /^replication not running: Slave_IO_Running=No/);
    assert.doesNotMatch(result.stdout, /Slave_SQL_Running/);
    assert.ok(result.stdout.includes(`Last_IO_Error: ${ioError}`), result.stdout);
  });

  it('fails (2) a broken SQL thread, naming it and its error', () => {
    const sqlError =
      "Error 'Duplicate entry '3' for key 'PRIMARY'' on query. Default database: ''. Query: 'INSERT INTO t.x VALUES (3)'";
    const result = judge(vertical(mariadb({ sql: 'No', lag: 'NULL', sqlError })));
    assert.equal(result.code, 2);
    assert.match(result.stdout, /Slave_SQL_Running=No/);
    assert.doesNotMatch(result.stdout, /Slave_IO_Running/);
    assert.ok(result.stdout.includes(`Last_SQL_Error: ${sqlError}`), result.stdout);
  });

  it('fails (2) a MySQL 8 replica whose receiver is still connecting', () => {
    const result = judge(
      vertical(mysql8({ io: 'Connecting', lag: 'NULL', ioError: 'Access denied' })),
    );
    assert.equal(result.code, 2);
    assert.match(result.stdout, /Replica_IO_Running=Connecting/);
    assert.match(result.stdout, /Last_IO_Error: Access denied/);
  });

  it('fails (2) a thread that is not running even when a lag is shown', () => {
    const result = judge(vertical(mariadb({ io: 'No', lag: '0' })));
    assert.equal(result.code, 2);
    assert.match(result.stdout, /Slave_IO_Running=No/);
  });

  it('fails (2) a NULL lag even while both threads say Yes', () => {
    const result = judge(vertical(mysql8({ lag: 'NULL' })));
    assert.equal(result.code, 2);
    assert.equal(result.stdout, 'replication not running: lag NULL\n');
  });

  it('fails (2) a server that is not a replica (empty status)', () => {
    for (const text of ['', '\n']) {
      const result = judge(text);
      assert.equal(result.code, 2);
      assert.match(result.stdout, /^not a replica/);
    }
  });

  it('fails (2) a status without any lag field', () => {
    const result = judge(vertical(mariadb().filter(([name]) => name !== 'Seconds_Behind_Master')));
    assert.equal(result.code, 2);
    assert.match(result.stdout, /no Seconds_Behind_Source or Seconds_Behind_Master/);
  });

  it('judges every channel and puts the worst first', () => {
    const text = vertical(
      mysql8({ channel: 'east', lag: '1' }),
      mysql8({ channel: 'west', lag: '120' }),
    );
    const result = judge(text, '30');
    assert.equal(result.code, 2);
    assert.deepEqual(result.stdout.trimEnd().split('\n'), [
      `channel "west": lag 120s > max 30s | 'lag east'=1s;;30;0 'lag west'=120s;;30;0`,
      'channel "east": lag 1s <= 30s',
    ]);
  });

  it('reads CRLF lines, unpadded names and colons inside values', () => {
    const text = [
      '*************************** 1. row ***************************',
      'Slave_IO_Running: Yes',
      'Slave_SQL_Running:Yes',
      '  Seconds_Behind_Master: 7   ',
      'Last_IO_Error: ',
      'Gtid_IO_Pos: 0-1-7:8',
    ].join('\r\n');
    const result = judge(text, '30');
    assert.equal(result.code, 0, result.stdout);
    assert.equal(result.stdout, 'lag 7s <= 30s | lag=7s;;30;0\n');
  });

  it('refuses bad arguments with a usage line and exit 3 (not a warn)', () => {
    const status = fixture(vertical(mariadb()));
    for (const args of [[], ['x'], ['30', 'ten'], ['10', '30'], ['1', '2', '3'], ['-5']]) {
      const result = lagScript(args, { MYSQL_STATUS_FILE: status });
      assert.equal(result.code, 3, `args ${JSON.stringify(args)}`);
      assert.match(result.stderr, /^usage: mysql-replica-lag\.sh MAX_LAG_SECONDS/);
    }
  });

  it('fails (2) when MYSQL_STATUS_FILE cannot be read', () => {
    const result = lagScript(['30'], { MYSQL_STATUS_FILE: join(dir, 'missing.txt') });
    assert.equal(result.code, 2);
  });
});

describe('examples/mysql-replica-lag.sh with a client', { timeout: 60_000 }, () => {
  const { path: clientDir, cleanup: removeClientDir } = tempDir('hcd-mysql-client-');
  after(removeClientDir);

  // A stand-in for the mysql client: logs its arguments, one a line, then answers as
  // FAKE_MODE says: "modern" knows SHOW REPLICA STATUS, "old" refuses it as MariaDB 10.4
  // does, "down" cannot connect.
  const client = join(clientDir, 'fake-mysql');
  writeFileSync(
    client,
    `#!/bin/sh
for arg in "$@"; do printf '%s\\n' "$arg"; done >>"$FAKE_LOG"
echo --- >>"$FAKE_LOG"
case "$*:$FAKE_MODE" in
  *:down)
    echo "ERROR 2002 (HY000): Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)" >&2
    exit 1 ;;
  *"SHOW REPLICA STATUS"*:old)
    echo "ERROR 1064 (42000) at line 1: You have an error in your SQL syntax; check the manual near 'REPLICA STATUS' at line 1" >&2
    exit 1 ;;
  *) cat "$FAKE_STATUS" ;;
esac
`,
  );
  chmodSync(client, 0o755);
  const status = join(clientDir, 'status.txt');
  writeFileSync(status, vertical(mariadb({ lag: '4' })));
  let calls = 0;

  function withClient(mode: string, opts: string, ...args: string[]): Run & { argv: string[][] } {
    const log = join(clientDir, `log-${++calls}`);
    writeFileSync(log, '');
    const result = lagScript(args, {
      MYSQL_CLIENT: client,
      MYSQL_OPTS: opts,
      FAKE_MODE: mode,
      FAKE_LOG: log,
      FAKE_STATUS: status,
    });
    const argv = readFileSync(log, 'utf8')
      .split('---\n')
      .filter((call) => call !== '')
      .map((call) => call.trimEnd().split('\n'));
    return { ...result, argv };
  }

  it('asks SHOW REPLICA STATUS\\G once, with MYSQL_OPTS first, one word an argument, unglobbed', () => {
    const opts = `--defaults-extra-file=${clientDir}/my.cnf  --socket=/run/mysqld/*.sock --port=3307`;
    const result = withClient('modern', opts, '30');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stdout, 'lag 4s <= 30s | lag=4s;;30;0\n');
    assert.deepEqual(result.argv, [
      [
        `--defaults-extra-file=${clientDir}/my.cnf`,
        '--socket=/run/mysqld/*.sock',
        '--port=3307',
        '--connect-timeout=2',
        '-e',
        'SHOW REPLICA STATUS\\G',
      ],
    ]);
  });

  it('leaves the connect timeout to MYSQL_OPTS when it sets one', () => {
    const result = withClient('modern', '--connect-timeout=1', '30');
    assert.equal(result.code, 0);
    assert.deepEqual(result.argv[0], ['--connect-timeout=1', '-e', 'SHOW REPLICA STATUS\\G']);
  });

  it('falls back to SHOW SLAVE STATUS on a server that does not know SHOW REPLICA STATUS', () => {
    const result = withClient('old', '', '30');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stdout, 'lag 4s <= 30s | lag=4s;;30;0\n');
    assert.deepEqual(
      result.argv.map((argv) => argv.at(-1)),
      ['SHOW REPLICA STATUS\\G', 'SHOW SLAVE STATUS\\G'],
    );
  });

  it('fails (2) when the client cannot connect, with its error, and does not retry', () => {
    const result = withClient('down', '', '30', '10');
    assert.equal(result.code, 2);
    assert.match(
      result.stdout,
      /^cannot read the replica status with .*fake-mysql: ERROR 2002 \(HY000\): Can't connect/,
    );
    assert.equal(result.argv.length, 1);
  });

  it('fails (2) when the client program does not exist', () => {
    const result = lagScript(['30'], { MYSQL_CLIENT: join(clientDir, 'no-such-client') });
    assert.equal(result.code, 2);
    assert.match(result.stdout, /^cannot read the replica status with /);
  });
});

describe('examples/mysql-replica-lag.sh under healthcheckd', { timeout: 60_000 }, () => {
  const { path: work, cleanup: removeWork } = tempDir('hcd-mysql-check-');
  after(removeWork);

  function check(lag: string): {
    code: number | null;
    status: string;
    output: string;
    lag: number | undefined;
  } {
    const config = join(work, 'replica.config');
    writeFileSync(
      config,
      `[check:mysql-replica]\ncommand = "'${script}' 30 10"\ntimeout = 3s\nwarn_exit_codes = 1\n`,
    );
    const statusFile = join(work, `status-${lag}.txt`);
    writeFileSync(statusFile, vertical(mariadb({ lag })));
    const result = spawnSync(process.execPath, [bin, 'check', config, '--json'], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, MYSQL_STATUS_FILE: statusFile },
    });
    const body = JSON.parse(result.stdout) as {
      status: string;
      checks: Record<string, { output?: string; observedValue?: number }[]>;
    };
    return {
      code: result.status,
      status: body.status,
      output: body.checks['mysql-replica']?.[0]?.output ?? '',
      lag: body.checks['mysql-replica']?.[0]?.observedValue,
    };
  }

  it('maps pass, warn (warn_exit_codes = 1) and fail to the check states, the lag as observedValue', () => {
    assert.deepEqual(check('2'), {
      code: 0,
      status: 'pass',
      output: 'lag 2s <= 10s (max 30s) | lag=2s;10;30;0\n',
      lag: 2,
    });
    assert.deepEqual(check('20'), {
      code: 1,
      status: 'warn',
      output: 'lag 20s > warn 10s (max 30s) | lag=20s;10;30;0\n',
      lag: 20,
    });
    assert.deepEqual(check('NULL').code, 2);
    assert.deepEqual(check('NULL').status, 'fail');
  });
});
