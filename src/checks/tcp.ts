import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RunResult } from '../types.js';
import { networkResult } from './result.js';

/** Splits `host:port` or `[v6]:port`. */
export function splitHostPort(target: string): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(target);
  return { host: match?.[1] ?? target, port: Number(match?.[2] ?? 0) };
}

/**
 * Connect errors that Linux reports only for a connection that was established: a reset
 * (ECONNRESET), or a reset after the peer's FIN (EPIPE). A peer that refuses answers the
 * SYN with a reset, which is ECONNREFUSED. When the peer accepts and resets at once, the
 * reset may land before the event loop sees the connection complete, and the connect then
 * reports it as its error: the same fact (the port accepted a connection), told late.
 */
const establishedThenReset = new Set(['ECONNRESET', 'EPIPE']);

/** True when a connect error (or one attempt's, for a name with several addresses) shows an established connection. */
export function wasEstablished(error: Error): boolean {
  const attempts = error instanceof AggregateError ? (error.errors as Error[]) : [error];
  return attempts.some((attempt) =>
    establishedThenReset.has((attempt as NodeJS.ErrnoException).code ?? ''),
  );
}

/**
 * Passes when a TCP connection to `host:port` is established within the timeout; never
 * rejects. The verdict is the first thing known and nothing later changes it: a connection
 * reset right after it was established still passes.
 */
export function runTcp(
  target: string,
  timeoutMs: number,
  configuredMs = timeoutMs,
): Promise<RunResult> {
  const started = performance.now();
  const { host, port } = splitHostPort(target);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const finish = (ok: boolean, output: string, timedOut = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(networkResult(ok, null, timedOut, started, output));
    };
    const timer = setTimeout(
      () => finish(false, `no connection to ${target} within ${configuredMs} ms`, true),
      timeoutMs,
    );
    socket.once('connect', () => finish(true, `connected to ${target}`));
    // Whether the reset is seen depends on timing alone, so the answer does not mention it.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (wasEstablished(error)) finish(true, `connected to ${target}`);
      else finish(false, `cannot connect to ${target}: ${error.code ?? error.message}`);
    });
  });
}
