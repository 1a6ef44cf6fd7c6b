import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/** A raw client that keeps its own sending side open unless told, and records what it saw. */
export interface RawClient {
  readonly socket: Socket;
  /** Everything the server wrote (latin1). */
  readonly text: () => string;
  /** Resolves when the server has closed its side (FIN or reset). */
  readonly serverClosed: Promise<void>;
  readonly isServerClosed: () => boolean;
}

/**
 * Connects to 127.0.0.1:`port` with `allowHalfOpen`, so that the client's side stays open
 * until the test ends it: a server that only half-closes is seen holding the connection.
 * The socket is pushed on `sockets` for the test's cleanup.
 */
export async function rawClient(port: number, sockets?: Socket[]): Promise<RawClient> {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  sockets?.push(socket);
  let text = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const serverClosed = new Promise<void>((resolve) => {
    const done = (): void => {
      closed = true;
      resolve();
    };
    socket.once('end', done);
    socket.once('close', done);
  });
  await once(socket, 'connect');
  return { socket, text: () => text, serverClosed, isServerClosed: () => closed };
}

/** Resolves with `promise`, or fails the test after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The status lines of every answer in `text` (the bodies in these tests never hold one). */
export function statusLines(text: string): string[] {
  return text.match(/HTTP\/1\.1 \d{3}[^\r]*/g) ?? [];
}
