import type { AgentSettings } from '../types.js';
import { expectedFound, lineProblem, type Problem } from './problems.js';
import { lineOf, readSection } from './read.js';
import { agentSchema } from './schema.js';
import type { Section } from './sections.js';

/**
 * The `[agent]` section, resolved; null when absent or without a usable port. `portFlag`
 * (`--agent-port`) replaces its port, or serves the agent with the section's defaults when
 * the file has no `[agent]`.
 */
export function resolveAgent(
  section: Section | null,
  daemonPort: number,
  problems: Problem[],
  portFlag?: number,
): AgentSettings | null {
  if (section === null && portFlag === undefined) return null;
  const read = readSection(section, agentSchema, problems);
  const values = portFlag === undefined ? read : { ...read, port: portFlag };
  if (section !== null && portFlag === undefined && !section.entries.has('port')) {
    const message =
      '[agent]: expected a port (an integer from 1 to 65535), found none; add port = 9777';
    problems.push(lineProblem(section.line, message));
  }
  if (values.port === null) return null;
  if (values.port === daemonPort) {
    const expected = `a port other than the [healthcheckd] port ${daemonPort}`;
    const line = section === null || portFlag !== undefined ? null : lineOf(section, 'port');
    const key = portFlag === undefined ? 'port' : '--agent-port';
    problems.push(lineProblem(line, expectedFound(key, expected, String(values.port))));
  }
  return {
    port: values.port,
    weight: values.weight,
    minWeight: values.min_weight,
    maintenance: values.maintenance,
  };
}
