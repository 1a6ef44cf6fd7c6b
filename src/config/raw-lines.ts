import { expectedFound, lineProblem, type Problem } from './problems.js';
import {
  formTranslations,
  isPythonSection,
  splitPythonEntry,
  type Translation,
} from './python-compat.js';

/** One `key = value` line, its value still raw (quotes and comments not yet interpreted). */
export interface RawEntry {
  readonly section: string;
  readonly key: string;
  readonly rawValue: string;
  readonly line: number;
}

/** One `[section]` header; a section named twice is kept once, at its first line. */
export interface RawSection {
  readonly name: string;
  readonly line: number;
}

/** The file's lines as written, read beside `ini` to catch what it misreads. */
export interface RawScan {
  readonly sections: readonly RawSection[];
  readonly entries: readonly RawEntry[];
  readonly problems: readonly Problem[];
  /** `key: value` lines and key names not in lower case in `[healthcheckd]` and `[DEFAULT]`. */
  readonly translations: readonly Translation[];
}

type Line =
  | { readonly kind: 'skip' }
  | { readonly kind: 'section'; readonly name: string }
  | {
      readonly kind: 'entry';
      readonly key: string;
      readonly rawValue: string;
      /** Set when not `=`: configparser's `:` in `[healthcheckd]` and `[DEFAULT]`. */
      readonly separator?: string;
    }
  | { readonly kind: 'bad'; readonly message: string };

const sectionPattern = /^\[([^\]]*)\]\s*(?:[;#].*)?$/;

/** Splits the text into lines the way `ini` does (CR, LF or CRLF), dropping a leading BOM. */
export function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
}

/**
 * Classifies one line: blank or comment, `[section]` header, `key = value`, or a problem.
 *
 * @param python true in `[healthcheckd]` and `[DEFAULT]`, where `key: value` is read too
 */
export function classifyLine(text: string, python = false): Line {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith(';') || trimmed.startsWith('#')) return { kind: 'skip' };
  if (trimmed.startsWith('[')) {
    const match = sectionPattern.exec(trimmed);
    if (match) return { kind: 'section', name: (match[1] ?? '').trim() };
    return { kind: 'bad', message: expectedFound('section header', '"[name]"', trimmed) };
  }
  if (python) return pythonEntry(trimmed);
  const equals = trimmed.indexOf('=');
  const key = equals > 0 ? trimmed.slice(0, equals).trim() : '';
  if (key === '') return { kind: 'bad', message: notKeyValue(trimmed) };
  return { kind: 'entry', key, rawValue: trimmed.slice(equals + 1) };
}

/** `key = value` or `key: value`, split at the first of the two as configparser does. */
function pythonEntry(trimmed: string): Line {
  const split = splitPythonEntry(trimmed);
  if (split === null) return { kind: 'bad', message: notKeyValue(trimmed) };
  const { key, rawValue, separator } = split;
  return separator === '='
    ? { kind: 'entry', key, rawValue }
    : { kind: 'entry', key, rawValue, separator };
}

/** `expected "key = value"`, with the fix for the `key: value` form other INI readers accept. */
function notKeyValue(trimmed: string): string {
  const message = `expected "key = value", found ${JSON.stringify(trimmed)}`;
  const colon = /^([A-Za-z0-9_.-]+)\s*:\s*(.*)$/.exec(trimmed);
  return colon ? `${message}; write ${colon[1]} = ${colon[2]}` : message;
}

interface ScanState {
  section: string | null;
  readonly sectionLines: Map<string, number>;
  readonly keyLines: Map<string, Map<string, number>>;
  readonly sections: RawSection[];
  readonly entries: RawEntry[];
  readonly problems: Problem[];
  readonly translations: Translation[];
}

/** Scans INI text line by line into sections and raw entries, collecting every problem. */
export function scanLines(text: string): RawScan {
  const state: ScanState = {
    section: null,
    sectionLines: new Map(),
    keyLines: new Map(),
    sections: [],
    entries: [],
    problems: [],
    translations: [],
  };
  splitLines(text).forEach((content, index) => {
    const python = state.section !== null && isPythonSection(state.section);
    applyLine(state, classifyLine(content, python), index + 1);
  });
  const { sections, entries, problems, translations } = state;
  return { sections, entries, problems, translations };
}

function applyLine(state: ScanState, line: Line, number: number): void {
  if (line.kind === 'bad') state.problems.push(lineProblem(number, line.message));
  if (line.kind === 'section') openSection(state, line.name, number);
  if (line.kind === 'entry') addEntry(state, line, number);
}

function openSection(state: ScanState, name: string, line: number): void {
  state.section = name;
  const first = state.sectionLines.get(name);
  if (first === undefined) {
    state.sectionLines.set(name, line);
    state.sections.push({ name, line });
    return;
  }
  const message = `duplicate section [${name}]: first on line ${first}; merge the two into one`;
  state.problems.push(lineProblem(line, message));
}

/** Keys that may appear more than once in a section: `header` of a check (DESIGN §10). */
export function isRepeatable(section: string, key: string): boolean {
  return key === 'header' && section.startsWith('check:');
}

function addEntry(state: ScanState, entry: Extract<Line, { kind: 'entry' }>, line: number): void {
  const { rawValue } = entry;
  let key = entry.key;
  if (state.section !== null && isPythonSection(state.section)) {
    state.translations.push(...formTranslations(key, entry.separator ?? '=', line));
    key = key.toLowerCase();
  }
  if (state.section === null) {
    const message = `key "${key}" is outside any section: expected a section header such as [healthcheckd] above it`;
    state.problems.push(lineProblem(line, message));
    return;
  }
  const keys = state.keyLines.get(state.section) ?? new Map<string, number>();
  state.keyLines.set(state.section, keys);
  const first = keys.get(key);
  if (first !== undefined && !isRepeatable(state.section, key)) {
    const message = `duplicate key "${key}" in [${state.section}]: first set on line ${first}; keep one`;
    state.problems.push(lineProblem(line, message));
    return;
  }
  if (first === undefined) keys.set(key, line);
  state.entries.push({ section: state.section, key, rawValue, line });
}
