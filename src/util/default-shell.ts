import { accessSync, constants, statSync } from 'node:fs';

/** True when `file` is a regular file this process may execute. */
export function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The shell checks run with when `shell` is not set: bash if present, else /bin/sh. */
export function defaultShell(isExecutable: (file: string) => boolean = isExecutableFile): string {
  return isExecutable('/bin/bash') ? '/bin/bash' : '/bin/sh';
}
