import type { DaemonSettings, GrpcSettings } from '../types.js';
import { expectedFound, lineProblem, type Problem } from './problems.js';
import { lineOf, readSection } from './read.js';
import { grpcSchema } from './schema.js';
import type { Section } from './sections.js';

/**
 * The `[grpc]` section (DESIGN §11), resolved; null when absent or without a usable port.
 * `bind` defaults to the `[healthcheckd]` bind; the port may be neither the HTTP one nor the
 * `[agent]` one (`agentPort`, null without `[agent]`).
 */
export function resolveGrpc(
  section: Section | null,
  daemon: DaemonSettings,
  problems: Problem[],
  agentPort: number | null = null,
): GrpcSettings | null {
  if (section === null) return null;
  const values = readSection(section, grpcSchema, problems);
  if (!section.entries.has('port')) {
    const message =
      '[grpc]: expected a port (an integer from 1 to 65535), found none; add port = 9555';
    problems.push(lineProblem(section.line, message));
  }
  if (values.port === null) return null;
  const bind = values.bind ?? daemon.bind;
  if (values.port === daemon.port) {
    const expected = `a port other than the [healthcheckd] port ${daemon.port}`;
    problems.push(
      lineProblem(lineOf(section, 'port'), expectedFound('port', expected, String(values.port))),
    );
  }
  if (values.port === agentPort) {
    const expected = `a port other than the [agent] port ${agentPort}`;
    problems.push(
      lineProblem(lineOf(section, 'port'), expectedFound('port', expected, String(values.port))),
    );
  }
  return { port: values.port, bind };
}
