const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const pattern = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;

/** Parses `500ms`, `5s`, `2m`, `1h` or a bare number of seconds into milliseconds; null if malformed. */
export function parseDuration(text: string): number | null {
  const match = pattern.exec(text.trim());
  if (!match) return null;
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(value * (units[unit] ?? 1000));
}

/** Formats milliseconds the way an operator writes them: `500ms`, `5s`, `2m`. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
