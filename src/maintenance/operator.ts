import { userInfo } from 'node:os';
import { HealthcheckdError } from '../errors.js';
import type { ResolvedConfig } from '../types.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { serializeFlag } from './flag.js';
import { formatWallTime, isWallTime, latestWallMs, epochNow, type EpochMs } from '../util/clock.js';
import type { MaintenanceFlag, Scope } from '../types.js';
import { flagReadLimit } from './spool.js';
import { removeSpoolFlag, writeSpoolFlag } from './spool-write.js';

/** Who is setting a flag: the sudo caller when there is one, else the user name. */
export function operatorName(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SUDO_USER) return env.SUDO_USER;
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? 'unknown';
  }
}

/** The scope `--check NAME` names, refusing a check the config does not have. */
export function scopeFor(config: ResolvedConfig, check: string | undefined): Scope {
  if (check === undefined) return { kind: 'all' };
  if (!config.checks.some((definition) => definition.name === check)) {
    const known = config.checks.map((definition) => definition.name).join(', ');
    throw new HealthcheckdError(
      'E_USAGE',
      `no check named "${check}"; the configured checks are: ${known}`,
    );
  }
  return { kind: 'check', name: check };
}

/**
 * `--for` in milliseconds: a duration whose end, counted from `now`, a date can hold.
 * @throws HealthcheckdError E_USAGE naming `--for` when it is malformed, zero or too long
 */
export function parseFor(text: string, now = Date.now()): number {
  const ms = parseDuration(text);
  if (ms === null || ms === 0) {
    throw new HealthcheckdError(
      'E_USAGE',
      `--for: expected a duration such as 30m or 2h, found "${text}"`,
    );
  }
  if (!isWallTime(now + ms)) throw tooFar(text.trim());
  return ms;
}

function tooFar(shown: string): HealthcheckdError {
  const cut = shown.length > 40 ? `${shown.slice(0, 40)}...` : shown;
  return new HealthcheckdError(
    'E_USAGE',
    `--for ${cut} is too far in the future: the latest end a date can hold is ${formatWallTime(latestWallMs)}`,
  );
}

function shownDuration(ms: number): string {
  return Number.isFinite(ms) ? formatDuration(ms) : String(ms);
}

export interface DownOptions {
  readonly reason?: string;
  readonly forMs?: number;
  /** Default now. */
  readonly now?: EpochMs;
}

/**
 * `healthcheckd down`: writes the flag atomically; returns its path and content.
 * @throws HealthcheckdError E_USAGE when `forMs` ends past the latest date or the reason does
 *   not fit in a flag; E_SPOOL when the flag cannot be written
 */
export function setDown(config: ResolvedConfig, scope: Scope, options: DownOptions) {
  const by = operatorName();
  const since = options.now ?? epochNow();
  const end = options.forMs === undefined ? null : since + options.forMs;
  if (end !== null && !isWallTime(end)) throw tooFar(shownDuration(options.forMs ?? 0));
  const until = end;
  const flag: MaintenanceFlag = { scope, reason: options.reason ?? by, since, until, by };
  const size = Buffer.byteLength(serializeFlag(flag));
  if (size > flagReadLimit) {
    throw new HealthcheckdError(
      'E_USAGE',
      `--reason is too long: the flag would take ${size} bytes, and a flag holds at most ${flagReadLimit}`,
    );
  }
  return { path: writeSpoolFlag(config.daemon.spoolDir, scope, flag), flag };
}

/** `healthcheckd up`: removes the flag; false when none was set. */
export function setUp(config: ResolvedConfig, scope: Scope): boolean {
  return removeSpoolFlag(config.daemon.spoolDir, scope);
}
