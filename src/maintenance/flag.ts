/** What a flag covers: every check, or one check by name. */
export type Scope = { readonly kind: 'all' } | { readonly kind: 'check'; readonly name: string };

/**
 * A maintenance flag: the one shape shared by the spool reader, `down`, the daemon's answers
 * (health+json, page, agent, metrics), its shutdown drain and `status`.
 *
 * Times are wall-clock epoch milliseconds that a `Date` can hold (`isWallTime`): every flag made
 * in this folder keeps to that, so formatting one never throws.
 */
export interface MaintenanceFlag {
  /**
   * What the flag covers. TRANSITIONAL: optional only until the daemon's drain flag is made
   * with `shutdownFlag`; a flag without a scope covers every check.
   */
  readonly scope?: Scope;
  readonly reason: string;
  /** When the flag was set (wall-clock epoch ms). */
  readonly since: number;
  /** When it ends (wall-clock epoch ms); null: until `healthcheckd up`. */
  readonly until: number | null;
  /** Who set it: the operator's name, or `uid N` for a file that healthcheckd did not write. */
  readonly by: string;
  /** What healthcheckd noticed about the spool entry (not its JSON, a FIFO, a link, ...). */
  readonly note?: string;
}

/** The `maintenance` member of health+json: a flag with its scope by name and ISO times. */
export interface MaintenanceMember {
  /** `all` or `check:NAME`. */
  readonly scope: string;
  readonly reason: string;
  readonly since: string;
  readonly until: string | null;
  readonly by: string;
  readonly note?: string;
}

const all: Scope = { kind: 'all' };

/**
 * The name of a scope, as its spool file is named and as every output shows it. TRANSITIONAL:
 * the default stands for the scope of a flag made without one (the daemon's drain flag).
 */
export function scopeFile(scope: Scope = all): string {
  return scope.kind === 'all' ? 'all' : `check:${scope.name}`;
}

/** The scope a spool file name stands for, or null for a file that is not a flag. */
export function scopeOf(file: string): Scope | null {
  if (file === 'all') return all;
  const match = /^check:([A-Za-z0-9_.-]+)$/.exec(file);
  return match?.[1] ? { kind: 'check', name: match[1] } : null;
}

/** True when the flag puts an endpoint holding these checks in maintenance. */
export function covers(flag: MaintenanceFlag, checkNames: readonly string[]): boolean {
  const scope = flag.scope ?? all;
  return scope.kind === 'all' || checkNames.includes(scope.name);
}

/** True while the flag is in force; an expired flag counts as absent. */
export function inForce(flag: MaintenanceFlag, now: number): boolean {
  return flag.until === null || flag.until > now;
}

/** The latest wall-clock time a `Date` can hold, in epoch ms (ECMA-262 §21.4.1.31, TimeClip). */
export const latestWallMs = 8.64e15;

/** True for epoch milliseconds that a `Date` can hold, so that `toISOString` cannot throw. */
export function isWallTime(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= latestWallMs;
}

/** ISO 8601 for epoch ms; never throws: a time no `Date` can hold is described instead. */
export function formatWallTime(ms: number): string {
  if (isWallTime(ms)) return new Date(ms).toISOString();
  if (ms > latestWallMs) return `after ${new Date(latestWallMs).toISOString()}`;
  if (ms < -latestWallMs) return `before ${new Date(-latestWallMs).toISOString()}`;
  return 'not a date';
}

/** The health+json `maintenance` member of a flag. */
export function maintenanceMember(flag: MaintenanceFlag): MaintenanceMember {
  return {
    scope: scopeFile(flag.scope),
    reason: flag.reason,
    since: formatWallTime(flag.since),
    until: flag.until === null ? null : formatWallTime(flag.until),
    by: flag.by,
    ...(flag.note === undefined ? {} : { note: flag.note }),
  };
}

/** The flag a stopping daemon answers under for `shutdown_delay` (`delayMs`). */
export function shutdownFlag(now: number, delayMs: number): MaintenanceFlag {
  const until = now + delayMs;
  return {
    scope: all,
    reason: 'shutting down',
    since: now,
    until: isWallTime(until) ? until : null,
    by: 'healthcheckd',
  };
}

/** The JSON stored for a flag: `{reason, since, until, by}` with ISO times; scope is the file name. */
export function serializeFlag(flag: MaintenanceFlag): string {
  const until = flag.until === null ? null : formatWallTime(flag.until);
  const stored = { reason: flag.reason, since: formatWallTime(flag.since), until, by: flag.by };
  return `${JSON.stringify(stored, null, 2)}\n`;
}
