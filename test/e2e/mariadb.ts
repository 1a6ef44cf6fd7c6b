/**
 * Real MariaDB servers for the end-to-end tests: a fresh, small datadir in a temp dir
 * (mariadb-install-db), mariadbd on a loopback port and a socket of its own, in its own process
 * group, and the mariadb client to talk to it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/listen.js';
import { waitUntil } from '../support/wait.js';
import { spawnGroup, type Spawned } from './helpers.js';

export interface MariadbPrograms {
  /** mariadbd (or mysqld). */
  readonly server: string;
  /** mariadb-install-db (or mysql_install_db). */
  readonly install: string;
  /** mariadb (or mysql), the client. */
  readonly client: string;
}

export interface MariadbServer {
  readonly name: string;
  readonly socket: string;
  readonly port: number;
  readonly process: Spawned;
  /** Runs SQL as root over the socket; resolves with the tab-separated rows (no header). */
  readonly sql: (statement: string) => Promise<string>;
  /** Runs one statement and prints it as `\G` does: `name: value` lines. */
  readonly vertical: (statement: string) => Promise<string>;
  /** The server's error log (startup problems, replication errors). */
  readonly errorLog: () => string;
  /** SIGTERM (a clean shutdown), SIGKILL after the grace. */
  readonly stop: () => Promise<void>;
}

/** Small and quick: a 16 MB buffer pool and a 4 MB redo log; one fresh datadir is about 22 MB. */
const small = [
  '--innodb-buffer-pool-size=16M',
  '--innodb-log-file-size=4M',
  '--innodb-flush-log-at-trx-commit=2',
  '--skip-name-resolve',
];

/** mariadbd refuses to run as root unless told to; as anyone else, it runs as that user. */
const user = `--user=${userInfo().username}`;

function run(file: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`${file} ${args.join(' ')}: ${error.message}\n${stderr}${stdout}`));
      else resolve(stdout);
    });
  });
}

/**
 * Creates DIR/NAME/data with mariadb-install-db and starts mariadbd on it; resolves once the
 * server answers a query over its socket (at most 60 s). `args` are extra server options
 * (--log-bin for a primary).
 */
export async function startMariadb(
  programs: MariadbPrograms,
  dir: string,
  name: string,
  serverId: number,
  args: readonly string[] = [],
): Promise<MariadbServer> {
  const home = join(dir, name);
  const datadir = join(home, 'data');
  const socket = join(home, 'mysqld.sock');
  const log = join(home, 'error.log');
  mkdirSync(home, { recursive: true });
  await run(
    programs.install,
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      user,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      // The bootstrap's temporary tables stay in the temp dir too, never in a shared /tmp.
      `--tmpdir=${home}`,
      ...small,
    ],
    60_000,
  );
  const port = await freePort();
  const mariadbd = spawnGroup(programs.server, [
    '--no-defaults',
    `--datadir=${datadir}`,
    `--socket=${socket}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--server-id=${serverId}`,
    `--pid-file=${join(home, 'mysqld.pid')}`,
    `--log-error=${log}`,
    `--tmpdir=${home}`,
    user,
    ...small,
    ...args,
  ]);
  const errorLog = (): string => (existsSync(log) ? readFileSync(log, 'utf8') : '');
  const client = (args: readonly string[]): Promise<string> =>
    run(
      programs.client,
      ['--no-defaults', `--socket=${socket}`, '--user=root', '--connect-timeout=5', ...args],
      20_000,
    );
  const sql = (statement: string): Promise<string> =>
    client(['--batch', '--skip-column-names', '-e', statement]);
  const vertical = (statement: string): Promise<string> => client(['--vertical', '-e', statement]);
  const stop = (): Promise<void> => mariadbd.stop(20_000);
  try {
    await waitUntil(
      `${name} (mariadbd) to answer on ${socket}`,
      async () => {
        if (mariadbd.child.exitCode !== null || mariadbd.child.signalCode !== null) {
          throw new Error(`mariadbd exited: ${mariadbd.output()}\n${errorLog()}`);
        }
        return existsSync(socket) ? (await sql('SELECT 1')).trim() : 'no socket yet';
      },
      (answer) => answer === '1',
      60_000,
      100,
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${errorLog()}`);
  }
  return { name, socket, port, process: mariadbd, sql, vertical, errorLog, stop };
}

/** `SHOW SLAVE STATUS` as name → value (the client's vertical format). */
export async function replicaStatus(replica: MariadbServer): Promise<Record<string, string>> {
  const text = await replica.vertical('SHOW SLAVE STATUS');
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*(\w+): ?(.*)$/.exec(line);
    if (match?.[1]) fields[match[1]] = match[2] ?? '';
  }
  return fields;
}
