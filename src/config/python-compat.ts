import { lineProblem, type Problem } from './problems.js';
import type { RawEntry, RawSection } from './raw-lines.js';
import type { ValueEntry } from './sections.js';

/**
 * The rules by which the Python healthcheckd's `configparser` read its file, applied to the
 * sections that tool read (DESIGN §2 "Python compatibility"): `[healthcheckd]` and
 * `[DEFAULT]`. `[check:NAME]` and `[agent]` are healthcheckd's own and are read literally.
 */

/** configparser's `default_section`: its keys apply to `[healthcheckd]`. */
export const defaultSection = 'DEFAULT';
const daemonSection = 'healthcheckd';

/** One place where the file was read by configparser's rules, not as written. */
export interface Translation {
  readonly line: number;
  readonly key: string;
  /** What was done, for `validate`: e.g. `"%%" read as "%" (configparser interpolation)`. */
  readonly note: string;
}

/** True for the sections configparser read for the Python tool. */
export function isPythonSection(section: string): boolean {
  return section === daemonSection || section === defaultSection;
}

/**
 * Splits `key = value` or `key: value` at the first `=` or `:` (configparser's default
 * delimiters); null when neither follows a non-empty key.
 */
export function splitPythonEntry(
  trimmed: string,
): { readonly key: string; readonly separator: string; readonly rawValue: string } | null {
  const at = trimmed.search(/[=:]/);
  const key = at > 0 ? trimmed.slice(0, at).trim() : '';
  if (key === '') return null;
  return { key, separator: trimmed.charAt(at), rawValue: trimmed.slice(at + 1) };
}

/** The translations of one `key = value` line's form: a `:` separator, a key not in lower case. */
export function formTranslations(key: string, separator: string, line: number): Translation[] {
  const lower = key.toLowerCase();
  const notes: Translation[] = [];
  if (separator === ':') {
    notes.push({ line, key: lower, note: '":" separates key and value as "=" does' });
  }
  if (key !== lower) {
    const note = `key "${key}" read as "${lower}" (key names in any case)`;
    notes.push({ line, key: lower, note });
  }
  return notes;
}

/** configparser's BasicInterpolation: `%%` is `%`, `%(name)s` a reference; any other `%` stays. */
export function unescapePercent(
  value: string,
): { readonly ok: true; readonly value: string } | { readonly ok: false; readonly at: string } {
  const reference = /%\([^)]+\)s/.exec(value.replaceAll('%%', '\0\0'));
  if (reference !== null)
    return { ok: false, at: value.slice(reference.index).split(/\s/)[0] ?? '' };
  return { ok: true, value: value.replaceAll('%%', '%') };
}

/** The Python `pid` package's rule: a pidfile name that does not end in `.pid` gets it. */
export function withPidSuffix(name: string): string {
  return name === '' || name.endsWith('.pid') ? name : `${name}.pid`;
}

/**
 * Applies the value rules to the entries of `[healthcheckd]` and `[DEFAULT]`: `%%`, the
 * `.pid` suffix, and a note for the quotes the value lost. Other entries pass unchanged.
 *
 * @param raw the entries as scanned, in the order of `entries`
 */
export function translateValues(
  raw: readonly RawEntry[],
  entries: readonly ValueEntry[],
  problems: Problem[],
  translations: Translation[],
): ValueEntry[] {
  return entries.map((entry, index) => {
    if (!isPythonSection(entry.section) || entry.value === null) return entry;
    const notes = (note: string): void => void translations.push({ ...entry, note });
    if (/^\s*["']/.test(raw[index]?.rawValue ?? ''))
      notes('one pair of surrounding quotes removed');
    const unescaped = unescapePercent(entry.value);
    if (!unescaped.ok) {
      const message = `${entry.key}: configparser's "%(name)s" references are not supported, found ${JSON.stringify(unescaped.at)}; write the value out (and "%%" for a literal "%")`;
      problems.push(lineProblem(entry.line, message));
      return { ...entry, value: null };
    }
    let value = unescaped.value;
    if (value !== entry.value) notes(`"%%" read as "%" (configparser interpolation): ${value}`);
    if (entry.key === 'pidfile' && withPidSuffix(value) !== value) {
      value = withPidSuffix(value);
      notes(`".pid" appended (the Python pid package's rule): ${value}`);
    }
    return { ...entry, value };
  });
}

/**
 * Applies `[DEFAULT]` to `[healthcheckd]` as configparser did: each of its keys that
 * `[healthcheckd]` does not set is read as a `[healthcheckd]` key (a `[healthcheckd]` section
 * is made at `[DEFAULT]`'s line when there is none). `[DEFAULT]` itself disappears.
 */
export function applyDefaults(
  headers: readonly RawSection[],
  entries: readonly ValueEntry[],
  translations: Translation[],
): { readonly headers: RawSection[]; readonly entries: ValueEntry[] } {
  const defaults = headers.find((header) => header.name === defaultSection);
  if (defaults === undefined) return { headers: [...headers], entries: [...entries] };
  const own = new Set(entries.filter((e) => e.section === daemonSection).map((e) => e.key));
  const hasDaemon = headers.some((header) => header.name === daemonSection);
  const kept = headers.filter((header) => header.name !== defaultSection);
  const moved = entries.flatMap((entry) => {
    if (entry.section !== defaultSection) return [entry];
    if (own.has(entry.key)) return [];
    translations.push({ ...entry, note: '[DEFAULT] key applied to [healthcheckd]' });
    return [{ ...entry, section: daemonSection }];
  });
  return {
    headers: hasDaemon ? kept : [...kept, { name: daemonSection, line: defaults.line }],
    entries: moved,
  };
}

/** One translation as `validate` prints it, a comment line. */
export function formatTranslation(translation: Translation): string {
  return `; line ${translation.line}: ${translation.key}: ${translation.note}`;
}
