import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { asEpochMs, asMonotonicMs } from '../../src/util/clock.js';
import type { CheckDefinition, RunResult, Status } from '../../src/types.js';

/** test/fixtures in the source tree (tests run from dist/test/...). */
export const fixtures = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'test',
  'fixtures',
);

/** A logger that writes nothing. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** A logger whose JSON lines land in `lines`, so a test can assert on them. */
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
  const logger = pino({ level }, stream);
  const lines = (): Record<string, unknown>[] =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines };
}

/** A check definition with the documented defaults; `overrides` wins. */
export function definition(overrides: Partial<CheckDefinition> = {}): CheckDefinition {
  return {
    name: 'db',
    kind: 'command',
    target: 'true',
    timeoutMs: 5_000,
    intervalMs: null,
    maxAgeMs: null,
    cachePassMs: 0,
    cacheFailMs: 0,
    rise: 1,
    fall: 1,
    warnExitCodes: [],
    critical: true,
    groups: [],
    expectStatus: [{ from: 200, to: 399 }],
    origin: { file: '/etc/healthcheckd.config', line: 1 },
    ...overrides,
  };
}

/** A run result with `status`, ended at `endedAt` (used as both the monotonic and the wall time). */
export function result(status: Status, endedAt = 1_000, output = ''): RunResult {
  return {
    status,
    exitCode: status === 'pass' ? 0 : 2,
    httpStatus: null,
    signal: null,
    timedOut: false,
    durationMs: 1,
    output,
    endedAt: asMonotonicMs(endedAt),
    time: asEpochMs(endedAt),
  };
}

/** PIDs of live (not zombie) processes in process group `pgid`, read from /proc. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
  }
  return members;
}

/** Polls `condition` every 20 ms; true as soon as it holds, false after `ms`. */
export async function eventually(condition: () => boolean, ms = 4_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(20);
  }
  return condition();
}

/** A promise with its resolve function, for fakes a test settles by hand. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}
