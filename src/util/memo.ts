/**
 * Remembers `compute`'s answer for recent string keys: probes send the same request line and
 * headers again and again, so the answer path parses each only once. A cache, not state: the
 * answer must depend on the key alone. Bounded in count (cleared when full) and in key length
 * (a longer key is computed every time), so varied or huge inputs only ever cost the compute.
 *
 * @param compute the pure function remembered
 * @param maxCount keys remembered at once (default 64)
 * @param maxLength the longest key remembered, in UTF-16 code units (default 512)
 */
export function memoize<T>(
  compute: (key: string) => T,
  maxCount = 64,
  maxLength = 512,
): (key: string) => T {
  const remembered = new Map<string, T>();
  return (key) => {
    const known = remembered.get(key);
    if (known !== undefined) return known;
    const value = compute(key);
    if (key.length <= maxLength) {
      if (remembered.size >= maxCount) remembered.clear();
      remembered.set(key, value);
    }
    return value;
  };
}
