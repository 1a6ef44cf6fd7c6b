import {
  closeSync,
  fchmodSync,
  fsyncSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
  constants,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { uniqueSuffix } from './unique-suffix.js';

/**
 * Writes `content` to `path` atomically: a new temp file beside it (O_EXCL|O_NOFOLLOW, so no
 * symlink is followed), fsync, then rename over the path. A symlink at `path` is replaced,
 * never followed. The file gets `mode` less the umask, or exactly `mode` with `exactMode` (for a
 * file another user must read whatever the writer's umask). Throws the fs error on failure,
 * leaving no temp file behind.
 */
export function writeFileAtomic(
  path: string,
  content: string,
  mode = 0o644,
  options: { readonly exactMode?: boolean } = {},
): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${uniqueSuffix()}.tmp`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const fd = openSync(temp, flags, mode);
  let open = true;
  try {
    if (options.exactMode) fchmodSync(fd, mode);
    writeSync(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    open = false;
    renameSync(temp, path);
  } catch (error) {
    if (open) closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
}
