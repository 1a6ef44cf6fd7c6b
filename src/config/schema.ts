import { isAbsolute } from 'node:path';
import type { AgentSettings, LogFormat, LogLevel } from '../types.js';
import {
  boolean,
  duration,
  exitCodeList,
  groupList,
  host,
  httpUrl,
  integer,
  shellCommand,
  oneOf,
  path,
  percent,
  statusRanges,
  tcpTarget,
  word,
  type Parsed,
  type Parser,
} from './parsers.js';
import { httpHeader, regex } from './http-parsers.js';

/** How one key is read, and its value when absent (null: resolved from other keys). */
export interface KeySpec<T> {
  readonly parse: Parser<T>;
  readonly fallback: T;
}

/** The keys of one kind of section. */
export type Schema = Readonly<Record<string, KeySpec<unknown>>>;

/** The typed values of a section read against its schema. */
export type SchemaValues<S extends Schema> = {
  readonly [K in keyof S]: S[K] extends KeySpec<infer T> ? T : never;
};

function key<T>(parse: Parser<T>, fallback: T): KeySpec<T> {
  return { parse, fallback };
}

const statusCode = integer(200, 599);
const command = 'command:';

/** `cpu`, `none` or `command:<cmd>`. */
const weight: Parser<AgentSettings['weight']> = (text): Parsed<AgentSettings['weight']> => {
  if (text === 'cpu' || text === 'none') return { ok: true, value: { kind: text } };
  const cmd = text.startsWith(command) ? text.slice(command.length).trim() : '';
  if (cmd !== '' && shellCommand(cmd).ok)
    return { ok: true, value: { kind: 'command', command: cmd } };
  return { ok: false, expected: 'cpu, none or command:<shell command>' };
};

/** `auto`, `off`, or the absolute path of the spawn helper (README, "Spawn helper"). */
const spawnHelper: Parser<string> = (text) => {
  if (text === 'auto' || text === 'off') return { ok: true, value: text };
  const file = path(text);
  return file.ok && isAbsolute(text)
    ? file
    : { ok: false, expected: 'auto, off or the absolute path of the spawn helper' };
};

/** `[healthcheckd]`: the defaults the README's configuration reference lists. */
export const daemonSchema = {
  port: key(integer(0, 65535), 9999),
  bind: key(host, '0.0.0.0'),
  pidfile: key<string | null>(path, null),
  piddir: key(path, '/tmp'),
  command: key<string | null>(shellCommand, null),
  shell: key<string | null>(path, null),
  timeout: key(duration(false), 5000),
  status_ok: key(statusCode, 200),
  status_warn: key(statusCode, 200),
  status_fail: key(statusCode, 503),
  status_maintenance: key(statusCode, 503),
  spool_dir: key(path, '/var/spool/healthcheckd'),
  log_level: key<LogLevel>(oneOf(['error', 'warn', 'info', 'debug'] as const), 'info'),
  log_format: key<LogFormat>(oneOf(['text', 'json'] as const), 'text'),
  user: key<string | null>(word, null),
  shutdown_delay: key(duration(true), 0),
  max_concurrent: key(integer(1), 8),
  expose_output: key(boolean, true),
  access_log: key(boolean, false),
  spawn_helper: key(spawnHelper, 'auto'),
} as const satisfies Schema;

/** `[check:NAME]`: null timeout and max_age are resolved from `[healthcheckd]` and `interval`. */
export const checkSchema = {
  command: key<string | null>(shellCommand, null),
  tcp: key<string | null>(tcpTarget, null),
  http: key<string | null>(httpUrl, null),
  timeout: key<number | null>(duration(false), null),
  interval: key<number | null>(duration(false), null),
  max_age: key<number | null>(duration(false), null),
  cache_pass: key(duration(true), 0),
  cache_fail: key(duration(true), 0),
  rise: key(integer(1), 1),
  fall: key(integer(1), 1),
  warn_exit_codes: key<readonly number[]>(exitCodeList, []),
  critical: key(boolean, true),
  group: key<readonly string[]>(groupList, []),
  expect_status: key(statusRanges, [{ from: 200, to: 399 }]),
  method: key<'GET' | 'HEAD'>(oneOf(['GET', 'HEAD'] as const), 'GET'),
  /** Repeatable: this reads the first line; resolve-http.ts reads the others. */
  header: key<readonly [string, string] | null>(httpHeader, null),
  expect_body: key<string | null>(regex, null),
  tls_verify: key(boolean, false),
  ca: key<string | null>(path, null),
  flap_threshold: key<number | null>(percent, null),
} as const satisfies Schema;

/** `[grpc]`: port is required when the section exists; bind defaults to `[healthcheckd]`'s. */
export const grpcSchema = {
  port: key<number | null>(integer(1, 65535), null),
  bind: key<string | null>(host, null),
} as const satisfies Schema;

/** `[agent]`: port is required when the section exists. */
export const agentSchema = {
  port: key<number | null>(integer(1, 65535), null),
  weight: key<AgentSettings['weight']>(weight, { kind: 'none' }),
  min_weight: key(percent, 1),
  maintenance: key<AgentSettings['maintenance']>(oneOf(['drain', 'maint'] as const), 'drain'),
} as const satisfies Schema;
