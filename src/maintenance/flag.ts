/** A maintenance flag as stored in the spool: `<spool_dir>/all` or `<spool_dir>/check:<name>`. */
export interface MaintenanceFlag {
  readonly reason: string;
  /** When the flag was set (ms since epoch). */
  readonly since: number;
  /** When it ends (ms since epoch); null: until `healthcheckd up`. */
  readonly until: number | null;
  /** Who set it. */
  readonly by: string;
}

/** What a flag covers: every check, or one check by name. */
export type Scope = { readonly kind: 'all' } | { readonly kind: 'check'; readonly name: string };

/** The spool file name of a scope. */
export function scopeFile(scope: Scope): string {
  return scope.kind === 'all' ? 'all' : `check:${scope.name}`;
}

/** The scope a spool file name stands for, or null for a file that is not a flag. */
export function scopeOf(file: string): Scope | null {
  if (file === 'all') return { kind: 'all' };
  const match = /^check:([A-Za-z0-9_.-]+)$/.exec(file);
  return match?.[1] ? { kind: 'check', name: match[1] } : null;
}

/** True while the flag is in force; an expired flag counts as absent. */
export function inForce(flag: MaintenanceFlag, now: number): boolean {
  return flag.until === null || flag.until > now;
}

/** Parses a flag file's JSON; null when it is not a flag healthcheckd wrote. */
export function parseFlag(text: string): MaintenanceFlag | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const since = Date.parse(String(record.since));
  const until =
    record.until === null || record.until === undefined ? null : Date.parse(String(record.until));
  if (Number.isNaN(since) || (until !== null && Number.isNaN(until))) return null;
  return { reason: String(record.reason ?? ''), since, until, by: String(record.by ?? '') };
}

/** The JSON stored for a flag: `{reason, since, until, by}` with ISO times. */
export function serializeFlag(flag: MaintenanceFlag): string {
  const until = flag.until === null ? null : new Date(flag.until).toISOString();
  return `${JSON.stringify({ reason: flag.reason, since: new Date(flag.since).toISOString(), until, by: flag.by }, null, 2)}\n`;
}
