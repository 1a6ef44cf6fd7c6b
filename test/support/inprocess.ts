import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { loadConfig, type LoadedConfig } from '../../src/config/load.js';
import { startDaemon, type Daemon } from '../../src/daemon/daemon.js';

/** A logger whose JSON lines are kept, for the daemon run in the test's own process. */
export function keptLogger(): { logger: Logger; messages: () => string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
  const messages = (): string[] => lines.map((line) => String(JSON.parse(line).msg));
  return { logger: pino({ level: 'info' }, stream), messages };
}

/** A daemon started in this process from a config file it can rewrite. */
export interface InProcessDaemon {
  readonly daemon: Daemon;
  readonly dir: string;
  /** Replaces the body of the config (the [healthcheckd] head with piddir and spool stays). */
  readonly write: (body: string) => void;
  /** The `msg` of every log line so far. */
  readonly messages: () => string[];
  /** Stops the daemon (if still running) and removes the directory. */
  readonly cleanup: () => Promise<void>;
}

/**
 * Starts the daemon in-process (no child) on a config made of a fixed head and `body`;
 * `load` is called on every reload and may be wrapped (to keep WeakRefs to configs).
 */
export async function startInProcess(
  body: string,
  wrapLoad: (load: () => LoadedConfig) => () => LoadedConfig = (load) => load,
): Promise<InProcessDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'hcd-inproc-'));
  const file = join(dir, 'test.config');
  const write = (text: string): void =>
    writeFileSync(
      file,
      `[healthcheckd]\npiddir = ${dir}\npidfile = d.pid\nspool_dir = ${dir}/spool\n${text}\n`,
    );
  write(body);
  const { logger, messages } = keptLogger();
  const load = wrapLoad(() => loadConfig(file, {}));
  let daemon: Daemon;
  try {
    daemon = await startDaemon(load(), { load, logger });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const cleanup = async (): Promise<void> => {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { daemon, dir, write, messages, cleanup };
}

/** An answer and the local port of the connection that carried it. */
export interface Reply {
  readonly status: number;
  readonly body: string;
  readonly localPort: number;
}

/** GET over `agent` (a keep-alive one keeps the connection), or a fresh connection. */
export function get(
  port: number,
  options: { host?: string; path?: string; agent?: Agent } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.host ?? '127.0.0.1',
        port,
        path: options.path ?? '/',
        agent: options.agent ?? false,
      },
      (res) => {
        let body = '';
        const localPort = res.socket.localPort ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, localPort }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the error code of a GET that must fail (ECONNREFUSED), or 'answered'. */
export function refusal(port: number, host = '127.0.0.1'): Promise<string> {
  return get(port, { host }).then(
    () => 'answered',
    (error: NodeJS.ErrnoException) => error.code ?? error.message,
  );
}

/** A plain TCP server holding `host:port` (0: a free one), as another process would. */
export async function holdPort(port = 0, host = '127.0.0.1'): Promise<Server & { port: number }> {
  const server = createServer((socket) => socket.destroy());
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return Object.assign(server, { port: bound });
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = await holdPort();
  server.close();
  await once(server, 'close');
  return server.port;
}

/** A raw TCP client of a port: the agent's client does this already. */
export { open, readAll } from './agent-client.js';
