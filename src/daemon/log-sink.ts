/** Where log lines go: stderr, or a test's stream. */
export interface LogOutput {
  /** False when the output holds as much as it wants; it says 'drain' when it takes more. */
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** What the output has accepted and not yet written. */
  readonly writableLength: number;
}

export interface LogSinkOptions {
  /**
   * Bytes of lines (as pino wrote them) held while the output takes no more; past it lines are
   * dropped. Default 1 MiB.
   */
  readonly maxHeldBytes?: number;
  /** Turns pino's JSON line into the line written (the `text` format); default: as it is. */
  readonly format?: (line: string) => string;
  /** Called once the output has taken every held line again after some were dropped. */
  readonly onRecovered?: (dropped: number) => void;
}

/** pino's destination that never blocks: it holds lines while the output is full, then drops. */
export interface LogSink {
  /** Takes one line; never blocks and never throws. */
  readonly write: (line: string) => void;
  /** Resolves true once every line is written, false when `ms` pass first or the output failed. */
  readonly flushWithin: (ms: number) => Promise<boolean>;
  /** Lines dropped since the sink was made. */
  readonly droppedLines: () => number;
}

/** 1 MiB: some 250 lines carrying a check's full 4 KiB output, thousands of short ones. */
export const defaultMaxHeldBytes = 1024 * 1024;

/** Held lines go to the output in chunks of about this size. */
const chunkBytes = 64 * 1024;

const flushPollMs = 10;

/**
 * Creates a sink on `output`. Lines go straight to the output while it takes them; once it says
 * it is full (a log reader that stalls), they are held up to `maxHeldBytes` and past that
 * dropped whole and counted. When the output has taken everything again, `onRecovered` hears
 * how many were lost, once. An output that fails (its reader gone) drops every later line.
 */
export function createLogSink(output: LogOutput, options: LogSinkOptions = {}): LogSink {
  const limit = options.maxHeldBytes ?? defaultMaxHeldBytes;
  const format = options.format ?? ((line: string) => line);
  const held: string[] = [];
  let heldBytes = 0;
  // Invariant: lines are held only while the output is full (`full` is true).
  let full = false;
  let broken = false;
  let dropped = 0;
  let unreported = 0;

  const drop = (): void => {
    dropped += 1;
    unreported += 1;
  };
  const pass = (text: string): void => {
    full = !output.write(text);
    if (full) output.once('drain', onDrain);
  };
  const onDrain = (): void => {
    full = false;
    while (!full && held.length > 0) pass(takeChunk());
    if (full || broken || unreported === 0) return;
    const count = unreported;
    unreported = 0;
    options.onRecovered?.(count);
  };
  const takeChunk = (): string => {
    let count = 0;
    let bytes = 0;
    for (const line of held) {
      if (count > 0 && bytes + line.length > chunkBytes) break;
      bytes += line.length;
      count += 1;
    }
    const chunk = held.splice(0, count);
    for (const line of chunk) heldBytes -= Buffer.byteLength(line);
    return chunk.map(format).join('');
  };
  output.on('error', () => {
    broken = true;
    dropped += held.length;
    held.length = 0;
    heldBytes = 0;
  });

  return {
    write(line) {
      if (broken) return drop();
      if (!full) return pass(format(line));
      // Held as pino wrote it and formatted when written: a dropped line costs no formatting.
      const bytes = Buffer.byteLength(line);
      if (heldBytes + bytes > limit) return drop();
      held.push(line);
      heldBytes += bytes;
    },
    flushWithin: async (ms) => {
      const settled = await waitUntil(() => broken || (!full && output.writableLength === 0), ms);
      return settled && !broken;
    },
    droppedLines: () => dropped,
  };
}

/** Polls `done` until it holds (true) or `ms` pass (false). */
function waitUntil(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  return new Promise((resolve) => {
    const poll = (): void => {
      if (done()) return resolve(true);
      if (performance.now() >= deadline) return resolve(false);
      setTimeout(poll, flushPollMs);
    };
    poll();
  });
}
