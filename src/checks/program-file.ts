import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';

/** The ELF class, byte order and machine of a binary: what decides whether this kernel runs it. */
export interface ElfIdentity {
  readonly elfClass: number;
  readonly byteOrder: number;
  readonly machine: number;
}

/** What the kernel reads of a file to decide how to execute it (Linux BINPRM_BUF_SIZE is 256). */
const headerBytes = 4096;
const shebangLineMax = 256;
/** Interpreter levels followed (Linux allows a few more; deeper chains take the shell). */
const maxShebangDepth = 3;
const ptInterp = 3;

/** True for a regular file this process may execute (as bash's PATH search requires). */
function executableRegularFile(file: string): boolean {
  try {
    // A directory we may not search (EACCES) is skipped, as bash and execvp skip it.
    if (statSync(file, { throwIfNoEntry: false })?.isFile() !== true) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The file `word` runs as a command, named as the shell names it (its `_`): `word` itself when
 * it holds a `/`, else the first executable regular file named `word` in the directories of
 * `path`, as bash and execvp find it. Null when there is none, or when `path` has an empty or
 * relative entry (those resolve against the working directory, where the searches may part).
 */
export function findProgram(word: string, path: string): string | null {
  if (word.includes('/')) return executableRegularFile(word) ? word : null;
  for (const dir of path.split(':')) {
    if (!isAbsolute(dir)) return null;
    const file = dir.endsWith('/') ? `${dir}${word}` : `${dir}/${word}`;
    if (executableRegularFile(file)) return file;
  }
  return null;
}

function readHeader(file: string): Buffer | null {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buffer = Buffer.alloc(headerBytes);
    return buffer.subarray(0, readSync(fd, buffer, 0, headerBytes, 0));
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The identity of an ELF header, or null when `header` is not one. */
export function elfIdentity(header: Buffer): ElfIdentity | null {
  if (header.length < 64 || header.readUInt32BE(0) !== 0x7f454c46) return null;
  const elfClass = header[4] ?? 0;
  const byteOrder = header[5] ?? 0;
  if ((elfClass !== 1 && elfClass !== 2) || (byteOrder !== 1 && byteOrder !== 2)) return null;
  const machine = byteOrder === 1 ? header.readUInt16LE(18) : header.readUInt16BE(18);
  return { elfClass, byteOrder, machine };
}

/** The ELF identity of the running Node binary: programs of another kind may not run here. */
export function hostElf(): ElfIdentity | null {
  const header = readHeader(process.execPath);
  return header === null ? null : elfIdentity(header);
}

/**
 * The program interpreter an ELF file names (PT_INTERP), '' when it names none (a static
 * binary), or null when the header cannot be read within the bytes at hand.
 */
function elfInterpreter(header: Buffer, id: ElfIdentity): string | null {
  const wide = id.elfClass === 2;
  const le = id.byteOrder === 1;
  const u16 = (at: number): number => (le ? header.readUInt16LE(at) : header.readUInt16BE(at));
  const u32 = (at: number): number => (le ? header.readUInt32LE(at) : header.readUInt32BE(at));
  const word = (at: number): number =>
    wide ? Number(le ? header.readBigUInt64LE(at) : header.readBigUInt64BE(at)) : u32(at);
  const type = u16(16);
  if (type !== 2 && type !== 3) return null;
  const phoff = word(wide ? 32 : 28);
  const phentsize = u16(wide ? 54 : 42);
  const phnum = u16(wide ? 56 : 44);
  if (phoff + phentsize * phnum > header.length) return null;
  for (let index = 0; index < phnum; index += 1) {
    const entry = phoff + index * phentsize;
    if (u32(entry) !== ptInterp) continue;
    const offset = word(entry + (wide ? 8 : 4));
    const size = word(entry + (wide ? 32 : 16));
    if (offset + size > header.length || size < 2) return null;
    return header.toString('latin1', offset, offset + size - 1);
  }
  return '';
}

/** The interpreter a `#!` line names, or null when the line is not one the kernel would read. */
function shebangInterpreter(header: Buffer): string | null {
  const end = header.subarray(0, shebangLineMax).indexOf(0x0a);
  if (end < 0) return null;
  const line = header.toString('latin1', 2, end);
  const interpreter = /^[ \t]*([^ \t]+)/.exec(line)?.[1];
  return interpreter !== undefined && isAbsolute(interpreter) ? interpreter : null;
}

/**
 * True when the kernel executes `file` itself, as it would for the shell: an ELF binary of
 * this machine whose program interpreter exists, or a `#!` script whose interpreter does
 * (followed a few levels). Anything else (a script without `#!`, which the shell would run
 * itself; a foreign binary; a missing interpreter, after which execvp would search on) is
 * false: such a command is left to the shell.
 */
export function kernelRuns(file: string, host: ElfIdentity, depth = 0): boolean {
  const header = readHeader(file);
  if (header === null) return false;
  if (header[0] === 0x23 && header[1] === 0x21) {
    const interpreter = shebangInterpreter(header);
    if (interpreter === null || depth >= maxShebangDepth) return false;
    return executableRegularFile(interpreter) && kernelRuns(interpreter, host, depth + 1);
  }
  const id = elfIdentity(header);
  if (id === null) return false;
  if (id.elfClass !== host.elfClass || id.byteOrder !== host.byteOrder) return false;
  if (id.machine !== host.machine) return false;
  const interpreter = elfInterpreter(header, id);
  return interpreter === '' || (interpreter !== null && executableRegularFile(interpreter));
}
