/**
 * Eight hex digits that make a file or cgroup name of this process differ from any other
 * it or another process makes beside it (temporary files, tickets, names set aside). They
 * need to differ, not to be secret: new files and directories are created with O_EXCL or
 * mkdir, so there a clash is an error, never a clobber (a stale file set aside is renamed;
 * a clash there, one in 2^32, replaces an earlier stale copy). Math.random, not node:crypto, which would load 18 more of
 * Node's modules at start-up for this alone (docs/performance.md).
 */
export function uniqueSuffix(): string {
  return Math.floor(Math.random() * 2 ** 32)
    .toString(16)
    .padStart(8, '0');
}
