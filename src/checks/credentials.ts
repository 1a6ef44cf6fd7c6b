import { execFileSync } from 'node:child_process';
import { HealthcheckdError } from '../errors.js';

/** A user's numeric ids. */
export interface Credentials {
  readonly uid: number;
  readonly gid: number;
}

/**
 * The credentials checks run with: `user`'s ids when the daemon runs as root, none otherwise
 * (a non-root daemon cannot switch users; its checks run as itself). Looked up with `id`, so
 * NSS users (LDAP, systemd-sysusers) resolve as they do for every other tool.
 */
export function checkCredentials(
  user: string | null,
  isRoot = process.getuid?.() === 0,
): Credentials | null {
  if (user === null || !isRoot) return null;
  const lookup = (flag: '-u' | '-g'): number => {
    try {
      return Number.parseInt(
        execFileSync('id', [flag, '--', user], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }),
        10,
      );
    } catch {
      throw new HealthcheckdError(
        'E_CONFIG',
        `user "${user}" does not exist on this host; create it or fix user in [healthcheckd]`,
      );
    }
  };
  return { uid: lookup('-u'), gid: lookup('-g') };
}
