import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { asEpochMs, asMonotonicMs } from '../../src/util/clock.js';
import type { CheckReport, RunResult, Status } from '../../src/types.js';

/** A logger that writes nothing. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** A logger whose JSON lines land in `lines()`. */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const lines = (): Record<string, unknown>[] =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Connects and resolves once the connection is up. */
export async function open(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/** Everything the server sends until it closes the connection. */
export function readAll(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('end', () => resolve(Buffer.concat(chunks).toString()));
  });
}

/** Connects, reads until EOF, closes. */
export async function fetchLine(port: number): Promise<string> {
  const socket = await open(port);
  try {
    return await readAll(socket);
  } finally {
    socket.destroy();
  }
}

/** A finished run, passing unless told otherwise. */
export function run(overrides: Partial<RunResult> = {}): RunResult {
  return {
    status: 'pass',
    exitCode: 0,
    httpStatus: null,
    signal: null,
    timedOut: false,
    durationMs: 3,
    output: '',
    endedAt: asMonotonicMs(0),
    time: asEpochMs(0),
    ...overrides,
  };
}

/** One check as a report carries it. */
export function check(
  name: string,
  status: Status | 'pending',
  overrides: Partial<CheckReport> = {},
): CheckReport {
  const code = status === 'pass' ? 0 : 2;
  return {
    name,
    kind: 'command',
    status,
    critical: true,
    since: asEpochMs(0),
    last: status === 'pending' ? null : run({ status, exitCode: code }),
    stale: false,
    ...overrides,
  };
}
