/**
 * A real gRPC health client in a separate process (test/fixtures/grpc-client.mjs, run with
 * process.execPath): Check, Watch and a client that holds streams without reading them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fixtures } from './paths.js';
import { orAfter, waitUntil } from './wait.js';

const client = join(fixtures, 'grpc-client.mjs');

/** One answer of Check: a status, or a gRPC status code (5 NOT_FOUND). */
export interface CheckAnswer {
  readonly service: string;
  readonly status?: string;
  readonly code?: number;
}

/** One line the client printed: a Watch message, the stream's end or its error code. */
export interface WatchLine {
  readonly status?: string;
  readonly end?: boolean;
  readonly code?: number;
  readonly held?: number;
}

/** A client process that prints JSON lines. */
export interface ClientProcess {
  readonly child: ChildProcess;
  readonly lines: () => WatchLine[];
  /** Resolves once a line satisfies `accept`; throws with what was seen after `ms`. */
  readonly waitFor: (accept: (line: WatchLine) => boolean, ms?: number) => Promise<WatchLine>;
  /** Kills the client (SIGKILL) and waits for it to exit. */
  readonly stop: () => Promise<void>;
}

function startClient(args: readonly string[]): ClientProcess {
  const child = spawn(process.execPath, [client, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = (): WatchLine[] =>
    out
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as WatchLine);
  return {
    child,
    lines,
    async waitFor(accept, ms = 15_000) {
      const seen = await waitUntil(
        `a line from grpc-client ${args.join(' ')} (stderr: ${err})`,
        async () => lines(),
        (all) => all.some(accept),
        ms,
        50,
      );
      return seen.find(accept) as WatchLine;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await orAfter(exited, 5_000, undefined);
    },
  };
}

/** Runs Check on each service against 127.0.0.1:`port`, in a client process. */
export async function grpcCheck(port: number, services: readonly string[]): Promise<CheckAnswer[]> {
  const run = startClient(['check', `127.0.0.1:${port}`, ...services]);
  try {
    await run.waitFor(() => run.lines().length === services.length, 20_000);
    return run.lines() as CheckAnswer[];
  } finally {
    await run.stop();
  }
}

/** Opens a Watch stream on `service` in a client process; its lines are the messages. */
export function grpcWatch(port: number, service: string): ClientProcess {
  return startClient(['watch', `127.0.0.1:${port}`, service]);
}

/** Opens `count` Watch streams that are never read, in a client process. */
export function grpcHold(port: number, service: string, count: number): ClientProcess {
  return startClient(['hold', `127.0.0.1:${port}`, service, String(count)]);
}
