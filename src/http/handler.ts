import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { methodNotAllowed, type Answer } from './answer.js';
import { targetResolver, type Target } from './routes.js';

/** What the handler needs to know about a request to answer it. */
export interface Question {
  readonly target: Target;
  /** `Pragma: no-cache` was sent. */
  readonly noCache: boolean;
  /** The Accept header, or an empty string. */
  readonly accept: string;
}

export interface HandlerDeps {
  readonly isGroup: (name: string) => boolean;
  /** Answers a question; may stay synchronous when every result is at hand. */
  readonly respond: (question: Question) => Answer | Promise<Answer>;
  /** The answer when `respond` throws: a health daemon fails closed. */
  readonly failClosed: () => Answer;
  readonly logger: Logger;
  /** Called with the status code of every answer (metrics). */
  readonly onAnswer?: (statusCode: number) => void;
  /** Called once per answer sent, for the access log; absent: no access log. */
  readonly onAccess?: (entry: AccessEntry) => void;
}

/** One answered request, as the access log writes it. */
export interface AccessEntry {
  readonly method: string;
  /** The request target as sent, cut to 200 characters. */
  readonly path: string;
  readonly status: number;
  /** From the request's arrival to the answer handed to the socket, in milliseconds. */
  readonly durationMs: number;
  /** The peer's address; '' when the socket has closed. */
  readonly remote: string;
}

const maxLoggedPath = 200;

/** Creates the request listener: GET and HEAD only, nothing from the request reaches a check. */
export function createHandler(deps: HandlerDeps) {
  const resolve = targetResolver(deps.isGroup);
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (hasBody(req)) res.shouldKeepAlive = false;
    const head = req.method === 'HEAD';
    const access = accessLogger(req, deps);
    if (req.method !== 'GET' && !head) return reply(deps, res, head, access, methodNotAllowed);
    let result: Answer | Promise<Answer>;
    try {
      result = deps.respond(question(req, resolve));
    } catch (error) {
      return reply(deps, res, head, access, fail(deps, error));
    }
    if (!(result instanceof Promise)) return reply(deps, res, head, access, result);
    result.then(
      (ready) => reply(deps, res, head, access, ready),
      (error: unknown) => reply(deps, res, head, access, fail(deps, error)),
    );
  };
}

/** Sends an answer, counts it and logs it. */
function reply(
  deps: HandlerDeps,
  res: ServerResponse,
  head: boolean,
  access: ((status: number) => void) | undefined,
  ready: Answer,
): void {
  deps.onAnswer?.(ready.statusCode);
  send(res, ready, head);
  access?.(ready.statusCode);
}

/** The access log's call for this request, started now; undefined without an access log. */
function accessLogger(
  req: IncomingMessage,
  deps: HandlerDeps,
): ((status: number) => void) | undefined {
  const onAccess = deps.onAccess;
  if (onAccess === undefined) return undefined;
  const start = performance.now();
  return (status) => {
    const url = req.url ?? '';
    onAccess({
      method: req.method ?? '',
      path: url.length > maxLoggedPath ? `${url.slice(0, maxLoggedPath)}…` : url,
      status,
      durationMs: Math.round((performance.now() - start) * 10) / 10,
      remote: req.socket.remoteAddress ?? '',
    });
  };
}

function question(req: IncomingMessage, resolve: (url: string) => Target): Question {
  const pragma = req.headers.pragma;
  return {
    target: resolve(req.url ?? '/'),
    noCache: pragma !== undefined && pragma.toLowerCase().includes('no-cache'),
    accept: req.headers.accept ?? '',
  };
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function send(res: ServerResponse, ready: Answer, head: boolean): void {
  if (res.destroyed) return;
  res.writeHead(ready.statusCode, ready.headers);
  res.end(head ? undefined : ready.body);
}

function fail(deps: HandlerDeps, error: unknown): Answer {
  deps.logger.error({ err: error }, 'answering a request failed; answering fail');
  return deps.failClosed();
}
