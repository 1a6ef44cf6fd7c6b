import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from '../types.js';

/** Creates the daemon's logger: stderr, `json` as pino writes it or `text` one line an event. */
export function createLogger(level: LogLevel, format: LogFormat, fd = 2): Logger {
  const options = { level, base: { pid: process.pid }, name: 'healthcheckd' };
  if (format === 'json') return pino(options, pino.destination({ fd, sync: true }));
  const stream = pretty({
    destination: fd,
    sync: true,
    colorize: false,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'hostname,name',
    singleLine: true,
  });
  return pino(options, stream);
}
