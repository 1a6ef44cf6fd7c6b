import { memoize } from '../util/memo.js';

/** What a request path asks for. */
export type Route =
  | { readonly kind: 'aggregate' }
  | { readonly kind: 'group'; readonly name: string }
  | { readonly kind: 'check'; readonly name: string }
  | { readonly kind: 'metrics' };

/** A parsed request target: the route and whether `?format=json` was asked. */
export interface Target {
  readonly route: Route;
  readonly formatJson: boolean;
}

const aggregateRoute: Route = { kind: 'aggregate' };

/**
 * `resolveTarget` for one configuration's groups, remembering recent targets: probes ask for
 * the same few paths, and a remembered target also keeps the check name's string, whose hash
 * the endpoint lookup then computes only once.
 */
export function targetResolver(isGroup: (name: string) => boolean): (url: string) => Target {
  return memoize((url) => resolveTarget(url, isGroup));
}

/**
 * Resolves a request target. Every path that is not `/check/<name>`, `/metrics` or a known
 * group answers the aggregate, as the Python tool answers every path.
 */
export function resolveTarget(url: string, isGroup: (name: string) => boolean): Target {
  const query = url.indexOf('?');
  const path = withoutOrigin(query === -1 ? url : url.slice(0, query));
  const formatJson = query !== -1 && /(?:^|&)format=json(?:&|$)/.test(url.slice(query + 1));
  return { route: routeFor(path, isGroup), formatJson };
}

/** An absolute-form target (`GET http://host/check/db`) names the same path. */
function withoutOrigin(path: string): string {
  if (path.startsWith('/')) return path;
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(path);
  return match ? (match[1] ?? '/') : path;
}

function routeFor(path: string, isGroup: (name: string) => boolean): Route {
  if (path === '/' || path === '') return aggregateRoute;
  if (path.startsWith('/check/')) return { kind: 'check', name: safeDecode(path.slice(7)) };
  if (path === '/metrics') return { kind: 'metrics' };
  const name = safeDecode(path.slice(1));
  return isGroup(name) ? { kind: 'group', name } : aggregateRoute;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
