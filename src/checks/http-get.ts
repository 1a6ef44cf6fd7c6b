import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { RunResult, StatusRange } from '../types.js';
import { createOutputCapture } from './output-capture.js';
import { endedNow } from './result.js';

/** True when `code` falls in one of the ranges. */
export function statusMatches(code: number, ranges: readonly StatusRange[]): boolean {
  return ranges.some((range) => code >= range.from && code <= range.to);
}

/** GETs `url` without following redirects; passes when the status is expected. Never rejects. */
export function runHttpGet(
  url: string,
  expect: readonly StatusRange[],
  timeoutMs: number,
  configuredMs = timeoutMs,
): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const capture = createOutputCapture();
    let req: ClientRequest | undefined = undefined;
    let timer: NodeJS.Timeout | undefined = undefined;
    const finish = (code: number | null, output: string, timedOut = false): void => {
      clearTimeout(timer);
      req?.destroy();
      resolve(
        endedNow({
          status: code !== null && statusMatches(code, expect) ? 'pass' : 'fail',
          exitCode: null,
          httpStatus: code,
          signal: null,
          timedOut,
          durationMs: performance.now() - started,
          output,
        }),
      );
    };
    const onResponse = (res: IncomingMessage): void => {
      res.on('data', capture.add);
      res.once('end', () =>
        finish(res.statusCode ?? null, `HTTP ${res.statusCode}\n${capture.text()}`),
      );
      res.once('error', (error) => finish(null, `reading ${url}: ${error.message}`));
    };
    try {
      const request = new URL(url).protocol === 'https:' ? httpsRequest : httpRequest;
      req = request(url, { method: 'GET', headers: { 'user-agent': 'healthcheckd' } }, onResponse);
    } catch (error) {
      return finish(null, `GET ${url}: ${(error as Error).message}`);
    }
    timer = setTimeout(
      () => finish(null, `no answer from ${url} within ${configuredMs} ms`, true),
      timeoutMs,
    );
    req.once('error', (error: NodeJS.ErrnoException) =>
      finish(null, `GET ${url}: ${error.code ?? error.message}`),
    );
    req.end();
  });
}
