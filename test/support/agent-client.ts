/** A client of the HAProxy agent-check port: connect, read the one line, see the close. */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/** Connects to 127.0.0.1:`port` and resolves once the connection is up. */
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

/**
 * Connects, reads everything until the server closes, closes our side. Rejects when the server
 * keeps the connection silent for `timeoutMs`.
 */
export async function agentRead(port: number, timeoutMs = 10_000): Promise<string> {
  const socket = await open(port);
  socket.setTimeout(timeoutMs, () =>
    socket.destroy(new Error(`the agent did not answer in ${timeoutMs} ms`)),
  );
  try {
    return await readAll(socket);
  } finally {
    socket.destroy();
  }
}
