import grpc from '@grpc/grpc-js';
import healthCheck from 'grpc-health-check';
import { HealthcheckdError } from '../errors.js';
import { listenFailure, urlHost } from '../util/listen.js';
import type { HealthSource, ServingStatus } from './status.js';
import { createWatchers, type WatchCall } from './watchers.js';

/** How often the Watch streams' services are read again while any stream is open. */
export const watchPollMs = 250;

/** The gRPC health server as the daemon binds it (src/daemon/bindings.ts `Listening`). */
export interface GrpcHealthServer {
  /** Resolves with the bound port; rejects with a HealthcheckdError (E_LISTEN). */
  readonly listen: (port: number, host: string) => Promise<number>;
  /** Watch streams get NOT_SERVING and end; calls in flight get up to `graceMs`. */
  readonly close: (graceMs: number) => Promise<void>;
  /** Installs the source of the runtime in force; the Watch streams get what changed. */
  readonly serve: (source: HealthSource) => void;
  /** Reads the watched services now (maintenance, drain): the streams get what changed. */
  readonly notify: () => void;
}

interface HealthRequest {
  readonly service?: string;
}

// grpc-js logs bind failures to stderr itself; the daemon reports them in its own words.
grpc.setLogVerbosity(grpc.logVerbosity.NONE);

/**
 * Creates grpc.health.v1.Health (Check, Watch, List; the service definition is the gRPC
 * project's grpc-health-check package) over `initial`. Each listen makes a fresh grpc-js
 * server, since a shut-down one cannot bind again.
 */
export function createGrpcHealthServer(initial: HealthSource): GrpcHealthServer {
  let source = initial;
  const read = (service: string): ServingStatus => source.current(service) ?? 'SERVICE_UNKNOWN';
  const watchers = createWatchers(read);
  let server: grpc.Server | null = null;
  let timer: NodeJS.Timeout | undefined;
  const notify = (): void => watchers.refresh(read);
  const implementation: grpc.UntypedServiceImplementation = {
    check: (
      call: grpc.ServerUnaryCall<HealthRequest, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => void answerCheck(source, call.request.service ?? '', callback),
    watch: (call: grpc.ServerWritableStream<HealthRequest, unknown>) => {
      const remove = watchers.add(call.request.service ?? '', call as unknown as WatchCall);
      call.once('cancelled', remove);
      call.once('close', remove);
      call.once('error', remove);
    },
    list: (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
      callback({ code: grpc.status.UNIMPLEMENTED, details: 'List is not served; ask by name' }),
  };
  return {
    async listen(port, host) {
      const next = new grpc.Server();
      next.addService(healthCheck.service, implementation);
      const bound = await bindServer(next, port, host);
      server = next;
      clearInterval(timer);
      timer = setInterval(() => watchers.size() > 0 && notify(), watchPollMs).unref();
      return bound;
    },
    async close(graceMs) {
      clearInterval(timer);
      watchers.endAll('NOT_SERVING');
      const closing = server;
      server = null;
      if (closing) await shutdown(closing, graceMs);
    },
    serve(next) {
      source = next;
      notify();
    },
    notify,
  };
}

async function answerCheck(
  source: HealthSource,
  service: string,
  callback: grpc.sendUnaryData<unknown>,
): Promise<void> {
  try {
    const status = await source.check(service);
    if (status === null) {
      callback({ code: grpc.status.NOT_FOUND, details: `unknown service "${service}"` });
    } else {
      callback(null, { status });
    }
  } catch (error) {
    callback({ code: grpc.status.INTERNAL, details: (error as Error).message });
  }
}

function bindServer(server: grpc.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(
      `${urlHost(host)}:${port}`,
      grpc.ServerCredentials.createInsecure(),
      (error, bound) => {
        if (!error) return resolve(bound);
        server.forceShutdown();
        reject(listenError(error, port, host));
      },
    );
  });
}

/** grpc-js gives the bind errors as text; the errno code in it picks the daemon's message. */
function listenError(error: Error, port: number, host: string): HealthcheckdError {
  const code = /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL|ENOTFOUND)\b/.exec(error.message)?.[1];
  const cause: NodeJS.ErrnoException = Object.assign(new Error(error.message), { code });
  return listenFailure(cause, port, host, { label: `grpc port ${port}`, fix: 'in [grpc]' });
}

/** Stops accepting, lets calls in flight finish within `graceMs`, then cuts what is left. */
function shutdown(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    cut.unref();
    server.tryShutdown(() => {
      clearTimeout(cut);
      resolve();
    });
  });
}
