import { formatDuration } from '../util/duration.js';
import type {
  AgentSettings,
  CheckDefinition,
  DaemonSettings,
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
    entry('port', String(daemon.port)),
    entry('bind', daemon.bind),
    entry('pidfile', daemon.pidfile),
    entry('piddir', daemon.piddir),
    entry('shell', daemon.shell),
    entry('timeout', formatDuration(daemon.timeoutMs)),
    entry('status_ok', String(daemon.statusCodes.ok)),
    entry('status_warn', String(daemon.statusCodes.warn)),
    entry('status_fail', String(daemon.statusCodes.fail)),
    entry('status_maintenance', String(daemon.statusCodes.maintenance)),
    entry('spool_dir', daemon.spoolDir),
    entry('log_level', daemon.logLevel),
    entry('log_format', daemon.logFormat),
    optional('user', daemon.user, 'unset (checks run as the daemon user)'),
    entry('shutdown_delay', formatDuration(daemon.shutdownDelayMs)),
    entry('max_concurrent', String(daemon.maxConcurrent)),
    entry('expose_output', String(daemon.exposeOutput)),
    entry('access_log', String(daemon.accessLog)),
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
    ...(check.kind === 'http' ? [entry('expect_status', ranges(check.expectStatus))] : []),
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

/** The resolved config as INI that healthcheckd reads back to the same config (`validate`). */
export function formatConfig(config: ResolvedConfig): string {
  const source = config.file ?? 'the command line';
  const blocks = [
    [`; healthcheckd: resolved configuration from ${source}, every key at its resolved value`],
    daemonLines(config.daemon),
    ...config.checks.map(checkLines),
    ...(config.agent === null ? [] : [agentLines(config.agent)]),
  ];
  return `${blocks.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
