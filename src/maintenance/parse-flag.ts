import { isWallTime, type EpochMs } from '../util/clock.js';
import { scopeName } from '../util/text.js';
import type { MaintenanceFlag, Scope } from '../types.js';

/** What is known of a spool entry besides its content. */
export interface FoundEntry {
  readonly scope: Scope;
  /** Modification time (epoch ms): the `since` of a flag that does not say. */
  readonly mtimeMs: number;
  /** Owner: the `by` of a flag that does not say. */
  readonly uid: number;
}

/** The most of a plain-text reason that is shown. */
export const plainReasonChars = 200;

/**
 * The flag a regular spool file's text stands for. healthcheckd's JSON gives its fields; any
 * other text (hacheck's plain reason, an empty `touch`) still means maintenance: its first line,
 * capped, is the reason, and a note says the file is not healthcheckd's.
 */
export function flagFromText(text: string, found: FoundEntry, now: EpochMs): MaintenanceFlag {
  const record = jsonObject(text);
  return record ? flagFromJson(record, found, now) : flagFromPlain(text, found, now);
}

function jsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function flagFromJson(
  record: Record<string, unknown>,
  found: FoundEntry,
  now: EpochMs,
): MaintenanceFlag {
  const name = scopeName(found.scope);
  const notes: string[] = [];
  let since = found.mtimeMs;
  if (record.since !== undefined) {
    const parsed = wallTimeOf(record.since);
    if (parsed === null) notes.push('its since is not a date; the file time is shown instead');
    since = parsed ?? since;
  }
  let until: EpochMs | null = null;
  if (record.until !== undefined && record.until !== null) {
    until = wallTimeOf(record.until);
    if (until === null) notes.push('its until is not a date; in force until `healthcheckd up`');
  }
  return {
    scope: found.scope,
    reason: textOf(record.reason) ?? '',
    since: isWallTime(since) ? since : now,
    until,
    by: textOf(record.by) ?? `uid ${found.uid}`,
    ...(notes.length === 0 ? {} : { note: `flag ${name}: ${notes.join('; ')}` }),
  };
}

function flagFromPlain(text: string, found: FoundEntry, now: EpochMs): MaintenanceFlag {
  const name = scopeName(found.scope);
  const line = firstLine(text);
  const note =
    line === ''
      ? `spool entry ${name} is empty or blank, not healthcheckd JSON`
      : `spool entry ${name} is not healthcheckd JSON; its first line is the reason`;
  return {
    scope: found.scope,
    reason: line === '' ? note : line,
    since: isWallTime(found.mtimeMs) ? found.mtimeMs : now,
    until: null,
    by: `uid ${found.uid}`,
    note,
  };
}

/** The first non-blank line, control characters made spaces, cut to `plainReasonChars`. */
function firstLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it removes
  const clean = (line: string) => line.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();
  const line =
    text
      .split(/\r?\n|\r/)
      .map(clean)
      .find((candidate) => candidate !== '') ?? '';
  return [...line].slice(0, plainReasonChars).join('');
}

/** An ISO string or epoch ms that a `Date` can hold; null for anything else. */
function wallTimeOf(value: unknown): EpochMs | null {
  const ms =
    typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : NaN;
  return isWallTime(ms) ? ms : null;
}

function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}
