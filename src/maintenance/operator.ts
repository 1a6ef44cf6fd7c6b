import { userInfo } from 'node:os';
import { HealthcheckdError } from '../errors.js';
import type { ResolvedConfig } from '../types.js';
import type { MaintenanceFlag, Scope } from './flag.js';
import { removeSpoolFlag, writeSpoolFlag } from './spool.js';

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

export interface DownOptions {
  readonly reason?: string;
  readonly forMs?: number;
  readonly now?: number;
}

/** `healthcheckd down`: writes the flag atomically; returns its path and content. */
export function setDown(config: ResolvedConfig, scope: Scope, options: DownOptions) {
  const by = operatorName();
  const since = options.now ?? Date.now();
  const flag: MaintenanceFlag = {
    reason: options.reason ?? by,
    since,
    until: options.forMs === undefined ? null : since + options.forMs,
    by,
  };
  return { path: writeSpoolFlag(config.daemon.spoolDir, scope, flag), flag };
}

/** `healthcheckd up`: removes the flag; false when none was set. */
export function setUp(config: ResolvedConfig, scope: Scope): boolean {
  return removeSpoolFlag(config.daemon.spoolDir, scope);
}
