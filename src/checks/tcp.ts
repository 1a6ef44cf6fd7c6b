import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RunResult } from '../types.js';
import { endedNow } from './result.js';

/** Splits `host:port` or `[v6]:port`. */
export function splitHostPort(target: string): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(target);
  return { host: match?.[1] ?? target, port: Number(match?.[2] ?? 0) };
}

/** Passes when a TCP connection to `host:port` opens within the timeout; never rejects. */
export function runTcp(
  target: string,
  timeoutMs: number,
  configuredMs = timeoutMs,
): Promise<RunResult> {
  const started = performance.now();
  const { host, port } = splitHostPort(target);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean, output: string, timedOut = false): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(
        endedNow({
          status: ok ? 'pass' : 'fail',
          exitCode: null,
          httpStatus: null,
          signal: null,
          timedOut,
          durationMs: performance.now() - started,
          output,
        }),
      );
    };
    const timer = setTimeout(
      () => finish(false, `no connection to ${target} within ${configuredMs} ms`, true),
      timeoutMs,
    );
    socket.once('connect', () => finish(true, `connected to ${target}`));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish(false, `cannot connect to ${target}: ${error.code ?? error.message}`),
    );
  });
}
