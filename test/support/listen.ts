import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';

/**
 * Listens on `host` (127.0.0.1 unless told), on a port the kernel picks, and resolves with that
 * port; rejects when the address cannot be bound (no IPv6 loopback, say). Takes a net or an
 * http server alike.
 */
export async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Closes a server; resolves once it no longer listens (open connections are the caller's). */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A TCP server on `host` (127.0.0.1 unless told) that accepts connections and reads what comes. */
export async function tcpListener(host = '127.0.0.1'): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.resume());
  return { server, port: await listen(server, host) };
}

/** A port on 127.0.0.1 that was free a moment ago (for a config that must name a port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return port;
}
