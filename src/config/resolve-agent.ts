import type { AgentSettings } from '../types.js';
import { expectedFound, lineProblem, type Problem } from './problems.js';
import { lineOf, readSection } from './read.js';
import { agentSchema } from './schema.js';
import type { Section } from './sections.js';

/** The `[agent]` section, resolved; null when absent or without a usable port. */
export function resolveAgent(
  section: Section | null,
  daemonPort: number,
  problems: Problem[],
): AgentSettings | null {
  if (section === null) return null;
  const values = readSection(section, agentSchema, problems);
  if (!section.entries.has('port')) {
    const message =
      '[agent]: expected a port (an integer from 1 to 65535), found none; add port = 9777';
    problems.push(lineProblem(section.line, message));
  }
  if (values.port === null) return null;
  if (values.port === daemonPort) {
    const expected = `a port other than the [healthcheckd] port ${daemonPort}`;
    problems.push(
      lineProblem(lineOf(section, 'port'), expectedFound('port', expected, String(values.port))),
    );
  }
  return {
    port: values.port,
    weight: values.weight,
    minWeight: values.min_weight,
    maintenance: values.maintenance,
  };
}
