import { pino, type Logger } from 'pino';
import type { LogFormat, LogLevel } from '../types.js';
import { createLogSink, type LogOutput, type LogSink } from './log-sink.js';

export interface LoggerOptions {
  /** Where the lines go; default stderr. */
  readonly output?: LogOutput;
  /** Bytes held while the output takes no more, before lines are dropped; default 1 MiB. */
  readonly maxHeldBytes?: number;
}

/** How long a stop waits for a slow log reader to take the last lines. */
export const stopFlushMs = 500;

/**
 * Creates the daemon's logger: `json` as pino writes it or `text` one line an event, on stderr.
 * Writing never blocks: a reader that stalls loses lines (counted, and reported once it reads
 * again), never answers to probes. pino-pretty is imported for `text` only.
 */
export async function createLogger(
  level: LogLevel,
  format: LogFormat,
  options: LoggerOptions = {},
): Promise<Logger> {
  const sink = createLogSink(options.output ?? process.stderr, {
    format: format === 'json' ? (line) => line : await textFormat(),
    onRecovered: (dropped) =>
      logger.warn(
        { droppedLines: dropped },
        `${dropped} log lines were dropped while stderr was not being read`,
      ),
    ...(options.maxHeldBytes === undefined ? {} : { maxHeldBytes: options.maxHeldBytes }),
  });
  // `pid` comes once, from `base`; `time` is ISO 8601 in UTC (text: the same instant, formatted).
  const logger = pino(
    {
      level,
      base: { pid: process.pid },
      name: 'healthcheckd',
      ...(format === 'json' ? { timestamp: pino.stdTimeFunctions.isoTime } : {}),
      formatters: { log: withoutEmpty },
    },
    sink,
  );
  return logger;
}

/**
 * An event's fields without those that say nothing: undefined, null, `''` and `[]` (a config
 * path in flags-only mode, a flag with no end). Ingested lines carry only what happened.
 */
export function withoutEmpty(fields: Record<string, unknown>): Record<string, unknown> {
  const empty = (value: unknown): boolean =>
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0);
  if (!Object.values(fields).some(empty)) return fields;
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => !empty(value)));
}

async function textFormat(): Promise<(line: string) => string> {
  // From module.exports (`default`): a bundle's import of a CommonJS package has no named exports.
  const { prettyFactory } = (await import('pino-pretty')).default;
  return prettyFactory({
    colorize: false,
    translateTime: "UTC:yyyy-mm-dd'T'HH:MM:ss.l'Z'", // ISO 8601, as the json lines' `time`
    ignore: 'hostname,name',
    singleLine: true,
    // An error is a member like any other: on the event's one line, never a multi-line stack.
    errorLikeObjectKeys: [],
  });
}

/** The lines a logger made by createLogger has dropped (0 for any other logger). */
export function droppedLogLines(logger: Logger): number {
  return sinkOf(logger)?.droppedLines() ?? 0;
}

/**
 * Waits up to `ms` for the logger's lines to be written; true when they were. A stalled
 * reader keeps what it has not taken: the wait never outlasts `ms`.
 */
export async function flushLog(logger: Logger, ms = stopFlushMs): Promise<boolean> {
  return (await sinkOf(logger)?.flushWithin(ms)) ?? true;
}

function sinkOf(logger: Logger): LogSink | undefined {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  return isLogSink(stream) ? stream : undefined;
}

function isLogSink(value: unknown): value is LogSink {
  const candidate = value as Partial<LogSink> | null | undefined;
  return (
    typeof candidate?.flushWithin === 'function' && typeof candidate.droppedLines === 'function'
  );
}
