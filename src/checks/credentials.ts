import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { HealthcheckdError } from '../errors.js';

/** The user checks run as: ids, and what `runuser -l` and `sudo -H` put in the environment. */
export interface Credentials {
  readonly uid: number;
  readonly gid: number;
  /** The passwd entry's name: USER and LOGNAME. */
  readonly name: string;
  /** The passwd entry's home directory: HOME. */
  readonly home: string;
  /** The passwd entry's login shell: SHELL (checks still run with `shell`). */
  readonly shell: string;
}

/** Reads one `name:password:uid:gid:gecos:home:shell` line; null when it is not one. */
export function parsePasswdLine(line: string): Credentials | null {
  const fields = line.replace(/\r?\n$/, '').split(':');
  if (fields.length !== 7) return null;
  const [name = '', , uid = '', gid = '', , home = '', shell = ''] = fields;
  if (!/^\d+$/.test(uid) || !/^\d+$/.test(gid) || name === '') return null;
  // As login(1) and runuser do: an empty home is /, an empty shell /bin/sh.
  return {
    uid: Number(uid),
    gid: Number(gid),
    name,
    home: home === '' ? '/' : home,
    shell: shell === '' ? '/bin/sh' : shell,
  };
}

/**
 * The passwd line of `user` (a name, or a number as `id` takes it) through NSS, as `getent
 * passwd` gives it, so LDAP and systemd users resolve as they do for every other tool; from
 * /etc/passwd where getent is missing. Null when the user does not exist.
 */
function passwdLine(user: string): string | null {
  try {
    return execFileSync('getent', ['passwd', '--', user], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).split('\n')[0] as string;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return null;
  }
  return fromEtcPasswd(user);
}

function fromEtcPasswd(user: string): string | null {
  let text: string;
  try {
    text = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  const byName = lines.find((line) => line.split(':')[0] === user);
  if (byName !== undefined || !/^\d+$/.test(user)) return byName ?? null;
  return lines.find((line) => line.split(':')[2] === user) ?? null;
}

/**
 * The credentials checks run with: `user`'s passwd entry when the daemon runs as root, none
 * otherwise (a non-root daemon cannot switch users; its checks run as itself).
 */
export function checkCredentials(
  user: string | null,
  isRoot = process.getuid?.() === 0,
  lookup: (user: string) => string | null = passwdLine,
): Credentials | null {
  if (user === null || !isRoot) return null;
  const line = lookup(user);
  const entry = line === null ? null : parsePasswdLine(line);
  if (entry === null) {
    throw new HealthcheckdError(
      'E_CONFIG',
      `user "${user}" does not exist on this host; create it or fix user in [healthcheckd]`,
    );
  }
  return entry;
}

/** The variables `runuser -l` and `sudo -H` set for the user: HOME, USER, LOGNAME, SHELL. */
export function userEnvironment(credentials: Credentials): NodeJS.ProcessEnv {
  return {
    HOME: credentials.home,
    USER: credentials.name,
    LOGNAME: credentials.name,
    SHELL: credentials.shell,
  };
}
