import { expectedFound, lineProblem, type Problem } from './problems.js';
import type { Schema, SchemaValues } from './schema.js';
import type { Section } from './sections.js';

/** Reads every key of a section against its schema; absent or invalid keys take their fallback. */
export function readSection<S extends Schema>(
  section: Section | null,
  schema: S,
  problems: Problem[],
): SchemaValues<S> {
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    values[key] = spec.fallback;
    const entry = section?.entries.get(key);
    if (entry === undefined || entry.value === null) continue;
    const parsed = spec.parse(entry.value);
    if (parsed.ok) values[key] = parsed.value;
    else problems.push(lineProblem(entry.line, expectedFound(key, parsed.expected, entry.value)));
  }
  // Each key was filled from its own spec above, so the object matches the schema's value types.
  return values as SchemaValues<S>;
}

/** The line of a key in a section, or of the section header when the key is absent. */
export function lineOf(section: Section, key: string): number {
  return section.entries.get(key)?.line ?? section.line;
}
