import {
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import { performance } from 'node:perf_hooks';
import type { HttpCheckOptions, RunResult, StatusRange } from '../types.js';
import { createOutputCapture } from './output-capture.js';
import { networkResult } from './result.js';
import { appendLine } from '../util/text.js';

/** True when `code` falls in one of the ranges. */
export function statusMatches(code: number, ranges: readonly StatusRange[]): boolean {
  return ranges.some((range) => code >= range.from && code <= range.to);
}

/** Bytes of the body `expect_body` is matched against (DESIGN §10). */
export const bodyLimitBytes = 64 * 1024;

/** A plain GET: what http checks did before their options, and the defaults. */
export const plainGet: HttpCheckOptions = {
  method: 'GET',
  headers: [],
  expectBody: null,
  tlsVerify: false,
  ca: null,
};

/**
 * node:https and node:tls, loaded by the first https check: they bring OpenSSL's TLS with them
 * (some 3 MiB of a daemon that has none; docs/performance.md).
 */
const tls = (): typeof import('node:tls') => process.getBuiltinModule('node:tls');
const https = (): typeof import('node:https') => process.getBuiltinModule('node:https');

/** The request options: no redirects, a connection of its own, TLS as configured. */
function requestOptions(
  options: HttpCheckOptions,
): RequestOptions & { rejectUnauthorized: boolean; ca?: string[] } {
  const headers: Record<string, string> = { 'user-agent': 'healthcheckd' };
  for (const [name, value] of options.headers) headers[name.toLowerCase()] = value;
  return {
    method: options.method,
    headers,
    agent: false,
    // Off by default, as Kubernetes probes and hacheck: a local service's certificate rarely
    // names 127.0.0.1. `ca` adds to the system roots rather than replacing them.
    rejectUnauthorized: options.tlsVerify,
    ...(options.ca ? { ca: [...tls().rootCertificates, options.ca.pem] } : {}),
  };
}

/** Keeps the first 64 KiB of the body for `expect_body`. */
function createBodyKeeper(): { add: (chunk: Buffer) => boolean; text: () => string } {
  const kept: Buffer[] = [];
  let size = 0;
  return {
    add(chunk) {
      if (size < bodyLimitBytes) {
        const part = chunk.subarray(0, bodyLimitBytes - size);
        kept.push(Buffer.from(part));
        size += part.length;
      }
      return size >= bodyLimitBytes;
    },
    text: () => Buffer.concat(kept, size).toString('utf8'),
  };
}

/**
 * Requests `url` (GET or HEAD) without following redirects, on a connection of its own (a
 * kept-alive one could be closed by the server just as it is reused); passes when the status
 * is expected and, with `expect_body`, the first 64 KiB of the body match it. Without
 * `expect_body` the status decides once it has arrived: a reset while the body is read cuts
 * the output, not the verdict; with it, a body cut short fails. Never rejects.
 */
export function runHttpGet(
  url: string,
  expect: readonly StatusRange[],
  timeoutMs: number,
  configuredMs = timeoutMs,
  options: HttpCheckOptions = plainGet,
): Promise<RunResult> {
  const started = performance.now();
  const pattern = options.expectBody === null ? null : new RegExp(options.expectBody);
  return new Promise((resolve) => {
    const capture = createOutputCapture();
    const body = createBodyKeeper();
    let req: ClientRequest | undefined = undefined;
    let timer: NodeJS.Timeout | undefined = undefined;
    let code: number | null = null;
    let settled = false;
    const finish = (
      status: number | null,
      output: string,
      timedOut = false,
      bodyOk = true,
    ): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      const pass = status !== null && statusMatches(status, expect) && bodyOk;
      resolve(networkResult(pass, status, timedOut, started, output));
    };
    const answered = (): string => `HTTP ${code}\n${capture.text()}`;
    const judgeBody = (): void => {
      if (pattern === null || pattern.test(body.text())) return finish(code, answered());
      const note = `[body does not match expect_body /${options.expectBody}/]`;
      finish(code, appendLine(answered(), note), false, false);
    };
    const failed = (error: NodeJS.ErrnoException): void => {
      const why = error.code ?? error.message;
      if (code === null) finish(null, `${options.method} ${url}: ${why}`);
      else finish(code, appendLine(answered(), `[answer cut: ${why}]`), false, pattern === null);
    };
    const onResponse = (res: IncomingMessage): void => {
      code = res.statusCode ?? null;
      res.on('data', (chunk: Buffer) => {
        capture.add(chunk);
        if (pattern !== null && body.add(chunk)) judgeBody();
      });
      res.once('end', judgeBody);
      res.on('error', failed);
      res.once('close', () => {
        if (!res.complete) failed(Object.assign(new Error('connection closed'), { code: 'EOF' }));
      });
    };
    try {
      const request = new URL(url).protocol === 'https:' ? https().request : httpRequest;
      req = request(url, requestOptions(options), onResponse);
    } catch (error) {
      return finish(null, `${options.method} ${url}: ${(error as Error).message}`);
    }
    timer = setTimeout(
      () => finish(null, `no answer from ${url} within ${configuredMs} ms`, true),
      timeoutMs,
    );
    req.on('error', failed);
    req.end();
  });
}
