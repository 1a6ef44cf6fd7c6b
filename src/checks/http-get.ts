import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { RunResult, StatusRange } from '../types.js';
import { createOutputCapture } from './output-capture.js';
import { endedNow } from './result.js';
import { appendLine } from '../util/text.js';

/** True when `code` falls in one of the ranges. */
export function statusMatches(code: number, ranges: readonly StatusRange[]): boolean {
  return ranges.some((range) => code >= range.from && code <= range.to);
}

/**
 * GETs `url` without following redirects, on a connection of its own (a kept-alive one could
 * be closed by the server just as it is reused); passes when the status is expected. The
 * status decides once it has arrived: a reset while the body is read cuts the output, not
 * the verdict. Never rejects.
 */
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
    let code: number | null = null;
    let settled = false;
    const finish = (status: number | null, output: string, timedOut = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      resolve(
        endedNow({
          status: status !== null && statusMatches(status, expect) ? 'pass' : 'fail',
          exitCode: null,
          httpStatus: status,
          signal: null,
          timedOut,
          durationMs: performance.now() - started,
          output,
        }),
      );
    };
    const answered = (): string => `HTTP ${code}\n${capture.text()}`;
    const failed = (error: NodeJS.ErrnoException): void => {
      if (code === null) finish(null, `GET ${url}: ${error.code ?? error.message}`);
      else finish(code, appendLine(answered(), `[answer cut: ${error.code ?? error.message}]`));
    };
    const onResponse = (res: IncomingMessage): void => {
      code = res.statusCode ?? null;
      res.on('data', capture.add);
      res.once('end', () => finish(code, answered()));
      res.on('error', failed);
      res.once('close', () => {
        if (!res.complete) failed(Object.assign(new Error('connection closed'), { code: 'EOF' }));
      });
    };
    try {
      const request = new URL(url).protocol === 'https:' ? httpsRequest : httpRequest;
      req = request(
        url,
        { method: 'GET', headers: { 'user-agent': 'healthcheckd' }, agent: false },
        onResponse,
      );
    } catch (error) {
      return finish(null, `GET ${url}: ${(error as Error).message}`);
    }
    timer = setTimeout(
      () => finish(null, `no answer from ${url} within ${configuredMs} ms`, true),
      timeoutMs,
    );
    req.on('error', failed);
    req.end();
  });
}
