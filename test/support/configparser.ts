/**
 * Python's own configparser as the oracle for the Python tool's reading of a config file:
 * `python3` reads the file as the Python healthcheckd did and prints its `[healthcheckd]`
 * section (with `[DEFAULT]` applied) as JSON.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One key as configparser gave it: `value` null when its interpolation raised (a lone `%`). */
export interface PythonValue {
  readonly value: string | null;
  readonly raw: string;
}

const script = `
import configparser, json, sys
cp = configparser.ConfigParser()
with open(sys.argv[1], encoding="utf-8") as f:
    cp.read_file(f)
section = cp["healthcheckd"]
out = {}
for key in section:
    try:
        value = section.get(key)
    except configparser.InterpolationError:
        value = None
    out[key] = {"value": value, "raw": section.get(key, raw=True)}
print(json.dumps(out))
`;

/** The `[healthcheckd]` section of `file` as Python's configparser reads it, keys in file order. */
export async function readWithConfigparser(file: string): Promise<Map<string, PythonValue>> {
  const { stdout } = await run('python3', ['-c', script, file], { timeout: 20_000 });
  return new Map(Object.entries(JSON.parse(stdout) as Record<string, PythonValue>));
}

/**
 * What the Python tool used: the interpolated value (the raw one where interpolation raised,
 * which healthcheckd keeps as written), less one pair of surrounding quotes, which the shell
 * or the tool removed.
 */
export function meantValue(read: PythonValue): string {
  const value = read.value ?? read.raw;
  const quoted = value.length >= 2 && /^["']/.test(value) && value.at(-1) === value.charAt(0);
  return quoted ? value.slice(1, -1) : value;
}
