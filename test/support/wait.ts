/**
 * Waiting without guessing: poll for a condition up to a generous bound instead of sleeping a
 * fixed time, so that a busy machine makes a test slower, never wrong.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms`. Prefer `eventually` where a condition can be polled. */
export const sleep = (ms: number): Promise<void> => delay(ms);

/**
 * Polls `condition` every `stepMs` until it holds (true) or `ms` pass (false, after one last
 * look). The bound is generous on purpose: it only costs time when the test is failing.
 */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  ms = 10_000,
  stepMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await delay(stepMs);
  }
  return condition();
}

/**
 * Polls `probe` until `accept` holds for what it returns, for at most `ms`. Returns the
 * accepted value; throws naming `what` and the last value seen (or the last error).
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  ms: number,
  stepMs = 100,
): Promise<T> {
  let last: { value: T } | { error: unknown } | null = null;
  const started = Date.now();
  const ok = await eventually(
    async () => {
      try {
        const value = await probe();
        last = { value };
        return accept(value);
      } catch (error) {
        last = { error };
        return false;
      }
    },
    ms,
    stepMs,
  );
  const seen = last as { value: T } | { error: unknown } | null;
  if (ok && seen && 'value' in seen) return seen.value;
  const detail =
    seen === null
      ? 'nothing'
      : 'value' in seen
        ? JSON.stringify(seen.value)
        : String((seen.error as Error)?.message ?? seen.error);
  throw new Error(
    `timed out after ${Date.now() - started} ms waiting for ${what}; last seen: ${detail}`,
  );
}

/** Rejects when `promise` has not settled after `ms`, so that a hang fails with a message. */
export function within<T>(promise: Promise<T>, ms: number, what = 'an answer'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Resolves with `promise`, or with `fallback` after `ms`. */
export async function orAfter<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise with its resolve function, for fakes a test settles by hand. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}
