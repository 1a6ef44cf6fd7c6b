import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/** A logger that writes nothing. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** A logger whose JSON lines land in `lines()`, so a test can assert on what was logged. */
export function memoryLogger(level = 'debug'): {
  logger: Logger;
  lines: () => Record<string, unknown>[];
} {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const lines = (): Record<string, unknown>[] =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger: pino({ level }, stream), lines };
}
