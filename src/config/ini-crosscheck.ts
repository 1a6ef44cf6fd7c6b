import ini from 'ini';

/** A line where `ini` read something other than what the operator plainly meant. */
export interface Correction {
  readonly line: number;
  readonly meant: string;
  readonly iniRead: string;
}

/** One interpreted entry to compare against what `ini` read. */
export interface MeantValue {
  readonly section: string;
  readonly key: string;
  readonly line: number;
  readonly value: string;
}

type IniTree = { readonly [key: string]: unknown };

function isTree(value: unknown): value is IniTree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The section `ini` built for a name; `ini` nests `[a.b]` under `a`, so dotted names are walked. */
function iniSection(tree: IniTree, name: string): IniTree | undefined {
  const direct = Object.hasOwn(tree, name) ? tree[name] : undefined;
  if (isTree(direct)) return direct;
  let node: unknown = tree;
  for (const part of name.split(/(?<!\\)\./)) {
    node = isTree(node) && Object.hasOwn(node, part) ? node[part] : undefined;
  }
  return isTree(node) ? node : undefined;
}

/** What `ini` read, as text: strings as they are, `true` for a bare key, `(nothing)` when absent. */
function describe(value: unknown): string {
  if (value === undefined) return '(nothing)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/** Parses the text with `ini` and lists every value it read differently; the raw reading wins. */
export function crossCheckIni(text: string, meant: readonly MeantValue[]): Correction[] {
  const tree = ini.parse(text) as IniTree;
  const corrections: Correction[] = [];
  for (const entry of meant) {
    const section = iniSection(tree, entry.section);
    const read = section && Object.hasOwn(section, entry.key) ? section[entry.key] : undefined;
    const iniRead = describe(read);
    if (iniRead !== entry.value)
      corrections.push({ line: entry.line, meant: entry.value, iniRead });
  }
  return corrections;
}
