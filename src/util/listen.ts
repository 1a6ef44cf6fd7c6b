import type { Server } from 'node:net';
import { HealthcheckdError } from '../errors.js';

/** What a listener is, for its error messages. */
export interface ListenerName {
  /** `port 9999` or `agent port 9777`. */
  readonly label: string;
  /** How to choose another port: `with --port`, `in [agent]`. */
  readonly fix: string;
}

/**
 * Binds a server (HTTP or agent) and resolves with the bound port; a failure becomes one
 * HealthcheckdError line saying what failed and what to do.
 */
export function listenOn(
  server: Server,
  port: number,
  host: string,
  name: ListenerName,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void =>
      reject(listenFailure(error, port, host, name));
    server.once('error', onError);
    server.listen({ port, host }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** True for the error `listenOn` gives when the port is taken (by its cause's code, not its text). */
export function isAddressInUse(error: unknown): boolean {
  return (
    error instanceof HealthcheckdError &&
    error.code === 'E_LISTEN' &&
    (error.cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE'
  );
}

/** The one-line E_LISTEN error for a failed bind: what failed and what to do (also gRPC's). */
export function listenFailure(
  error: NodeJS.ErrnoException,
  port: number,
  host: string,
  name: ListenerName,
): HealthcheckdError {
  const where = `cannot listen on ${host}:${port}`;
  const because: Record<string, string> = {
    EADDRINUSE: `${name.label} is in use; stop the other process or choose another port ${name.fix}`,
    EACCES: `permission denied for ${name.label}; use a port above 1023 or start as root`,
    EADDRNOTAVAIL: `address ${host} is not on this host; fix bind`,
    ENOTFOUND: `address ${host} is not on this host; fix bind`,
  };
  return new HealthcheckdError(
    'E_LISTEN',
    `${where}: ${because[error.code ?? ''] ?? error.message}`,
    [],
    { cause: error },
  );
}

/** A host as it goes in a URL: an IPv6 address in brackets (`[::1]`), anything else as is. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
