import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHttpServer } from '../http/server.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** The HTTP server as the daemon binds it: one listener at a time, swapped on reload. */
export interface HttpEndpoint {
  /** Resolves with the bound port; rejects with a HealthcheckdError (E_LISTEN). */
  readonly listen: (port: number, host: string) => Promise<number>;
  /**
   * Stops accepting; an answer in flight gets up to `graceMs` and goes out with
   * `Connection: close`, so that its connection ends with it instead of idling out the grace.
   */
  readonly close: (graceMs: number) => Promise<void>;
  /** Installs the listener of the runtime in force. */
  readonly serve: (listener: Listener) => void;
}

/** Creates the endpoint around the hardened HTTP server (src/http/server.ts). */
export function createHttpEndpoint(initial: Listener): HttpEndpoint {
  let listener = initial;
  let closing = false;
  const http = createHttpServer((req, res) => {
    if (closing) res.shouldKeepAlive = false;
    listener(req, res);
  });
  return {
    listen: (port, host) => {
      closing = false;
      return http.listen(port, host);
    },
    close: (graceMs) => {
      closing = true;
      for (const res of http.inFlight()) endWithAnswer(res);
      return http.close(graceMs);
    },
    serve: (next) => void (listener = next),
  };
}

/**
 * A keep-alive connection whose answer finishes after the server stopped accepting would idle
 * until the close grace runs out: it gets `Connection: close` or, its headers already sent,
 * is ended once the answer is out.
 */
function endWithAnswer(res: ServerResponse): void {
  if (!res.headersSent) {
    res.shouldKeepAlive = false;
    return;
  }
  const socket = res.socket;
  if (socket && !res.writableFinished) {
    res.once('finish', () => setImmediate(() => socket.destroySoon()));
  }
}
