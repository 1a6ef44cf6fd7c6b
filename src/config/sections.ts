import { checkName } from './parsers.js';
import { expectedFound, lineProblem, type Problem } from './problems.js';
import type { RawEntry, RawSection } from './raw-lines.js';
import { keysOf, unknownKeyMessage, unknownSectionMessage, type KnownKind } from './suggest.js';
import { interpretValue, isShellValue } from './values.js';

/** One key of a section, its value interpreted; null when it could not be read (already reported). */
export interface Entry {
  readonly key: string;
  readonly line: number;
  readonly value: string | null;
  /** A repeatable key (`header`): its later lines, in order. */
  readonly repeats?: readonly Entry[];
}

/** A known section with its known keys. */
export interface Section {
  /** The name as written between the brackets, e.g. `check:db`. */
  readonly header: string;
  readonly line: number;
  readonly entries: ReadonlyMap<string, Entry>;
}

/** A `[check:NAME]` section. */
export interface CheckSection extends Section {
  readonly name: string;
}

/** The file's sections, sorted by kind; unknown sections and keys are dropped as problems. */
export interface Sections {
  readonly daemon: Section | null;
  readonly agent: Section | null;
  readonly grpc: Section | null;
  readonly checks: readonly CheckSection[];
  /** True when the file has a `[check:...]` header, even one with a bad name. */
  readonly anyCheckHeader: boolean;
}

/** A raw entry with its value interpreted; null when it could not be read (already reported). */
export interface ValueEntry extends Entry {
  readonly section: string;
}

/** Interprets every raw value: quotes, inline comments and the shell-command traps. */
export function interpretEntries(raw: readonly RawEntry[], problems: Problem[]): ValueEntry[] {
  return raw.map(({ section, key, rawValue, line }) => {
    const read = interpretValue(rawValue, key, isShellValue(section, key, rawValue));
    if (!read.ok) problems.push(lineProblem(line, read.message));
    return { section, key, line, value: read.ok ? read.value : null };
  });
}

function kindOf(header: string): KnownKind | null {
  if (header === 'healthcheckd') return 'daemon';
  if (header === 'agent') return 'agent';
  if (header === 'grpc') return 'grpc';
  return header.startsWith('check:') ? 'check' : null;
}

/** Sorts the sections by kind and reports unknown sections, unknown keys and bad check names. */
export function groupSections(
  headers: readonly RawSection[],
  entries: readonly ValueEntry[],
  problems: Problem[],
): Sections {
  const sections = new Map<string, Section>();
  for (const header of headers) {
    const kind = kindOf(header.name);
    if (kind === null) problems.push(lineProblem(header.line, unknownSectionMessage(header.name)));
    if (kind === null || !validCheckHeader(header, problems)) continue;
    const own = entries.filter((entry) => entry.section === header.name);
    sections.set(header.name, {
      header: header.name,
      line: header.line,
      entries: keep(kind, own, problems),
    });
  }
  return {
    daemon: sections.get('healthcheckd') ?? null,
    agent: sections.get('agent') ?? null,
    grpc: sections.get('grpc') ?? null,
    checks: [...sections.values()]
      .filter((section) => kindOf(section.header) === 'check')
      .map((section) => ({ ...section, name: section.header.slice('check:'.length) })),
    anyCheckHeader: headers.some((header) => kindOf(header.name) === 'check'),
  };
}

function validCheckHeader(header: RawSection, problems: Problem[]): boolean {
  if (!header.name.startsWith('check:')) return true;
  const name = header.name.slice('check:'.length);
  if (checkName(name).ok) return true;
  const expected = 'a name made of A-Z a-z 0-9 _ . - after "check:"';
  problems.push(lineProblem(header.line, expectedFound(`[${header.name}]`, expected, name)));
  return false;
}

function keep(
  kind: KnownKind,
  entries: readonly ValueEntry[],
  problems: Problem[],
): Map<string, Entry> {
  const known = keysOf(kind);
  const kept = new Map<string, Entry>();
  for (const entry of entries) {
    if (!known.includes(entry.key)) {
      problems.push(lineProblem(entry.line, unknownKeyMessage(kind, entry.section, entry.key)));
      continue;
    }
    const read: Entry = { key: entry.key, line: entry.line, value: entry.value };
    const first = kept.get(entry.key);
    // Only repeatable keys get here twice: the scan refuses other duplicates.
    if (first === undefined) kept.set(entry.key, read);
    else kept.set(entry.key, { ...first, repeats: [...(first.repeats ?? []), read] });
  }
  return kept;
}
