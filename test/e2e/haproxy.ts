/**
 * A real HAProxy for the end-to-end tests: a generated config in a temp dir, the process in the
 * foreground (-db) in its own process group, and its runtime API (stats socket) read with
 * node:net.
 */
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { waitUntil } from '../support/wait.js';
import { spawnGroup, type Spawned } from './helpers.js';

/** Sends one command to the stats socket and reads the answer until HAProxy closes. */
export function haproxyCommand(
  socketPath: string,
  command: string,
  timeoutMs = 3_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${command}\n`));
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`stats socket did not answer "${command}" within ${timeoutMs} ms`)),
    );
  });
}

/** Splits one CSV line as HAProxy writes it (fields with a comma or quote are quoted). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}

/** One row of `show stat`, by column name (pxname, svname, status, weight, ...). */
export type StatRow = Readonly<Record<string, string>>;

/** `show stat` as rows keyed `backend/server`. */
export async function showStat(socketPath: string): Promise<Map<string, StatRow>> {
  const lines = (await haproxyCommand(socketPath, 'show stat')).split('\n');
  const header = lines.find((line) => line.startsWith('# '));
  if (!header) throw new Error(`show stat: no header line in ${JSON.stringify(lines.slice(0, 3))}`);
  const names = splitCsvLine(header.slice(2));
  const rows = new Map<string, StatRow>();
  for (const line of lines) {
    if (line === '' || line.startsWith('#')) continue;
    const values = splitCsvLine(line);
    const row: Record<string, string> = {};
    names.forEach((name, index) => (row[name] = values[index] ?? ''));
    rows.set(`${row.pxname}/${row.svname}`, row);
  }
  return rows;
}

/**
 * `show servers state BACKEND` as rows keyed by server name: srv_op_state (0 stopped, 1
 * starting, 2 running, 3 stopping), srv_admin_state (a bit set: 0x01 forced maint, 0x08 forced
 * drain, ...), srv_uweight (current user weight), srv_iweight (configured weight).
 */
export async function showServersState(
  socketPath: string,
  backend: string,
): Promise<Map<string, StatRow>> {
  const lines = (await haproxyCommand(socketPath, `show servers state ${backend}`)).split('\n');
  const header = lines.find((line) => line.startsWith('# '));
  if (!header) throw new Error(`show servers state: no header in ${JSON.stringify(lines)}`);
  const names = header.slice(2).trim().split(/\s+/);
  const rows = new Map<string, StatRow>();
  for (const line of lines.slice(lines.indexOf(header) + 1)) {
    if (line.trim() === '') continue;
    const values = line.trim().split(/\s+/);
    const row: Record<string, string> = {};
    names.forEach((name, index) => (row[name] = values[index] ?? ''));
    rows.set(row.srv_name ?? '', row);
  }
  return rows;
}

/** The admin-state bit HAProxy sets for a forced drain (what an agent's `drain` sets). */
export const adminForcedDrain = 0x08;

export interface HaproxyProcess {
  readonly process: Spawned;
  readonly socket: string;
  readonly configPath: string;
}

/**
 * Writes `config` to DIR/haproxy.cfg and starts `haproxy -db` (foreground, no daemon mode) on
 * it; resolves once the stats socket answers (at most 10 s).
 */
export async function startHaproxy(
  binary: string,
  dir: string,
  config: (socket: string) => string,
): Promise<HaproxyProcess> {
  const socket = join(dir, 'haproxy.sock');
  const configPath = join(dir, 'haproxy.cfg');
  writeFileSync(configPath, config(socket));
  const process = spawnGroup(binary, ['-db', '-f', configPath], { cwd: dir });
  try {
    await waitUntil(
      'the HAProxy stats socket to answer',
      async () => {
        if (process.child.exitCode !== null) {
          throw new Error(`haproxy exited with ${process.child.exitCode}: ${process.output()}`);
        }
        return haproxyCommand(socket, 'show info', 1_000);
      },
      (info) => info.includes('Name: HAProxy'),
      10_000,
    );
  } catch (error) {
    await process.stop(2_000);
    throw error;
  }
  return { process, socket, configPath };
}
