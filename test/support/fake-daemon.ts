import { createServer, type Server, type Socket } from 'node:net';

/** What a fake daemon does with a connection once the request has arrived. */
export type Script = (socket: Socket) => void;

/** A loopback TCP server that answers every request with `script`. */
export interface FakeDaemon {
  readonly port: number;
  readonly close: () => Promise<void>;
}

/** Starts a fake daemon on 127.0.0.1 with a free port. */
export async function startFakeDaemon(script: Script): Promise<FakeDaemon> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', () => script(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return { port, close };
}

/** A health+json document shaped as healthcheckd writes it. */
export function healthDoc(
  status: 'pass' | 'warn' | 'fail',
  checks: Record<string, unknown> = { db: [{ status, durationMs: 3.2, output: 'ok\n' }] },
): Record<string, unknown> {
  return { status, checks, notes: [], serviceId: 'host', description: 'healthcheckd' };
}

/** A complete HTTP/1.1 answer with Content-Length, then the connection closed. */
export function answer(
  statusCode: number,
  body: string | Buffer,
  contentType = 'application/health+json',
): Script {
  return (socket) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    socket.write(
      `HTTP/1.1 ${statusCode} X\r\ncontent-type: ${contentType}\r\ncontent-length: ${bytes.length}\r\nconnection: close\r\n\r\n`,
    );
    socket.end(bytes);
  };
}

/** A healthcheckd document with its right status code. */
export function answerDoc(doc: Record<string, unknown>): Script {
  return answer(doc.status === 'fail' ? 503 : 200, JSON.stringify(doc));
}

/** Headers announcing `declared` bytes, `sent` of them, then the connection closed. */
export function cutShort(declared: number, sent: string): Script {
  return (socket) => {
    socket.write(
      `HTTP/1.1 200 OK\r\ncontent-type: application/health+json\r\ncontent-length: ${declared}\r\n\r\n${sent}`,
    );
    setTimeout(() => socket.end(), 50);
  };
}

/** A chunked answer whose last chunk never comes: the connection closes after `sent`. */
export function chunkedCut(sent: string): Script {
  return (socket) => {
    const size = Buffer.byteLength(sent).toString(16);
    socket.write(
      `HTTP/1.1 200 OK\r\ncontent-type: application/health+json\r\ntransfer-encoding: chunked\r\n\r\n${size}\r\n${sent}\r\n`,
    );
    setTimeout(() => socket.end(), 50);
  };
}

/** A complete, valid answer sent one byte every `everyMs`: it trickles past any deadline. */
export function trickle(body: string, everyMs: number): Script {
  return (socket) => {
    socket.write(
      `HTTP/1.1 200 OK\r\ncontent-type: application/health+json\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    let sent = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || sent >= body.length) return clearInterval(timer);
      socket.write(body[sent++] ?? '');
    }, everyMs);
    socket.on('close', () => clearInterval(timer));
  };
}

/** Never answers (the connection stays open until the fake daemon closes). */
export const silent: Script = () => undefined;
