/** Keeps the first `limit` bytes of a stream of chunks and counts the rest, so memory stays flat. */
export interface OutputCapture {
  readonly add: (chunk: Buffer) => void;
  /** Counts `bytes` more that were cut before they got here (the spawn helper's cap). */
  readonly count: (bytes: number) => void;
  /** The kept text, with a `Captured N of M bytes` marker when output was cut. */
  readonly text: () => string;
}

/** Default: 4 KiB (README, "Command checks"). */
export const outputLimitBytes = 4096;

/** Creates a capture that keeps at most `limit` bytes. */
export function createOutputCapture(limit = outputLimitBytes): OutputCapture {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let totalBytes = 0;
  return {
    add(chunk) {
      totalBytes += chunk.length;
      if (keptBytes >= limit) return;
      const part = chunk.length <= limit - keptBytes ? chunk : chunk.subarray(0, limit - keptBytes);
      kept.push(Buffer.from(part));
      keptBytes += part.length;
    },
    count(bytes) {
      totalBytes += bytes;
    },
    text() {
      const body = Buffer.concat(kept, keptBytes).toString('utf8');
      if (totalBytes <= keptBytes) return body;
      return `${body}\n[Captured ${keptBytes} of ${totalBytes} bytes]`;
    },
  };
}
