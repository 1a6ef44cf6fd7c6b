/** A bounded buffer that keeps the last `capacity` items pushed; the oldest is dropped first. */
export interface Ring<T> {
  readonly push: (item: T) => void;
  /** The items kept, oldest first (a new array). */
  readonly items: () => T[];
  readonly size: () => number;
}

/** Creates a ring of `capacity` slots (an integer >= 1; a RangeError otherwise). */
export function createRing<T>(capacity: number): Ring<T> {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`ring capacity must be an integer >= 1, got ${capacity}`);
  }
  const slots: T[] = [];
  // Where the next item goes once the ring is full (the oldest item's slot).
  let next = 0;
  return {
    push(item) {
      if (slots.length < capacity) slots.push(item);
      else slots[next] = item;
      next = (next + 1) % capacity;
    },
    items: () =>
      slots.length < capacity ? [...slots] : [...slots.slice(next), ...slots.slice(0, next)],
    size: () => slots.length,
  };
}
