import { formatDuration } from '../util/duration.js';
import type {
  AgentSettings,
  CheckDefinition,
  DaemonSettings,
  GrpcSettings,
  ResolvedConfig,
  StatusRange,
} from '../types.js';
import { needsQuoting, quoteValue } from './values.js';

/** `key = value`, quoted when a bare value would not read back; a comment when INI cannot hold it. */
function entry(key: string, value: string, shell = false): string {
  const hint = shell ? '; put the command in a script' : '';
  if (/[\r\n]/.test(value)) return `; ${key}: holds a line break, which INI cannot carry${hint}`;
  if (!needsQuoting(value, shell)) return `${key} = ${value}`;
  const quoted = quoteValue(value);
  if (quoted !== null) return `${key} = ${quoted}`;
  return `; ${key}: holds both quote kinds and needs quoting, which INI cannot carry${hint}: ${value}`;
}

/**
 * A `[healthcheckd]` value as configparser reads it back: a value that holds `%%` or a
 * `%(name)s` is written with every `%` doubled; any other is shown as read (a lone `%` stays).
 */
function daemonEntry(key: string, value: string): string {
  return entry(key, /%%|%\(/.test(value) ? value.replaceAll('%', '%%') : value);
}

/** A key whose value may be unset, written as a comment when it is. */
function optional(key: string, value: string | null, unset: string): string {
  return value === null ? `; ${key}: ${unset}` : entry(key, value);
}

function ranges(list: readonly StatusRange[]): string {
  return list.map(({ from, to }) => (from === to ? `${from}` : `${from}-${to}`)).join(', ');
}

function daemonLines(daemon: DaemonSettings): string[] {
  return [
    '[healthcheckd]',
    daemonEntry('port', String(daemon.port)),
    daemonEntry('bind', daemon.bind),
    daemonEntry('pidfile', daemon.pidfile),
    daemonEntry('piddir', daemon.piddir),
    daemonEntry('shell', daemon.shell),
    daemonEntry('timeout', formatDuration(daemon.timeoutMs)),
    daemonEntry('status_ok', String(daemon.statusCodes.ok)),
    daemonEntry('status_warn', String(daemon.statusCodes.warn)),
    daemonEntry('status_fail', String(daemon.statusCodes.fail)),
    daemonEntry('status_maintenance', String(daemon.statusCodes.maintenance)),
    daemonEntry('spool_dir', daemon.spoolDir),
    daemonEntry('log_level', daemon.logLevel),
    daemonEntry('log_format', daemon.logFormat),
    daemon.user === null
      ? '; user: unset (checks run as the daemon user)'
      : daemonEntry('user', daemon.user),
    daemonEntry('shutdown_delay', formatDuration(daemon.shutdownDelayMs)),
    daemonEntry('max_concurrent', String(daemon.maxConcurrent)),
    daemonEntry('expose_output', String(daemon.exposeOutput)),
    daemonEntry('access_log', String(daemon.accessLog)),
    daemonEntry('spawn_helper', daemon.spawnHelper),
  ];
}

const asDuration = (ms: number | null): string | null => (ms === null ? null : formatDuration(ms));
const asList = (list: readonly (number | string)[]): string | null =>
  list.length === 0 ? null : list.join(', ');

function checkLines(check: CheckDefinition): string[] {
  return [
    `[check:${check.name}]`,
    entry(check.kind, check.target, check.kind === 'command'),
    entry('timeout', formatDuration(check.timeoutMs)),
    optional('interval', asDuration(check.intervalMs), 'unset (runs on request)'),
    optional('max_age', asDuration(check.maxAgeMs), 'unset (no limit)'),
    entry('cache_pass', formatDuration(check.cachePassMs)),
    entry('cache_fail', formatDuration(check.cacheFailMs)),
    entry('rise', String(check.rise)),
    entry('fall', String(check.fall)),
    ...(check.kind === 'command'
      ? [optional('warn_exit_codes', asList(check.warnExitCodes), 'none')]
      : []),
    entry('critical', String(check.critical)),
    optional('group', asList(check.groups), 'none'),
    ...(check.kind === 'http' ? httpLines(check) : []),
    optional(
      'flap_threshold',
      check.flapThresholdPercent === null ? null : `${check.flapThresholdPercent}%`,
      'unset (off)',
    ),
  ];
}

function httpLines(check: CheckDefinition): string[] {
  const { method, headers, expectBody, tlsVerify, ca } = check.http;
  return [
    entry('expect_status', ranges(check.expectStatus)),
    entry('method', method),
    ...(headers.length === 0
      ? ['; header: none']
      : headers.map(([name, value]) => entry('header', `${name}: ${value}`))),
    optional('expect_body', expectBody, 'none (any body)'),
    entry('tls_verify', String(tlsVerify)),
    optional('ca', ca?.file ?? null, 'none (the system roots)'),
  ];
}

function weight(agent: AgentSettings): string {
  if (agent.weight.kind !== 'command') return entry('weight', agent.weight.kind);
  return entry('weight', `command:${agent.weight.command}`, true);
}

function agentLines(agent: AgentSettings): string[] {
  return [
    '[agent]',
    entry('port', String(agent.port)),
    weight(agent),
    entry('min_weight', `${agent.minWeight}%`),
    entry('maintenance', agent.maintenance),
  ];
}

function grpcLines(grpc: GrpcSettings): string[] {
  return ['[grpc]', entry('port', String(grpc.port)), entry('bind', grpc.bind)];
}

/**
 * The resolved config as INI that healthcheckd reads back to the same config (`validate`).
 *
 * @param notes comment lines shown under the heading, such as the translations made in reading
 */
export function formatConfig(config: ResolvedConfig, notes: readonly string[] = []): string {
  const source = config.file ?? 'the command line';
  const blocks = [
    [
      `; healthcheckd: resolved configuration from ${source}, every key at its resolved value`,
      ...notes,
    ],
    daemonLines(config.daemon),
    ...config.checks.map(checkLines),
    ...(config.agent === null ? [] : [agentLines(config.agent)]),
    ...(config.grpc === null ? [] : [grpcLines(config.grpc)]),
  ];
  return `${blocks.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
