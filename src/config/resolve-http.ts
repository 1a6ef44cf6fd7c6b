import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HttpCheckOptions } from '../types.js';
import { httpHeader } from './http-parsers.js';
import { expectedFound, lineProblem, type Problem } from './problems.js';
import type { SchemaValues, checkSchema } from './schema.js';
import type { CheckSection } from './sections.js';

/** An http check's options at their defaults (and every other kind's). */
export const defaultHttpOptions: HttpCheckOptions = {
  method: 'GET',
  headers: [],
  expectBody: null,
  tlsVerify: false,
  ca: null,
};

/** The http options of a section: every `header` line, and the `ca` file read now. */
export function resolveHttpOptions(
  section: CheckSection,
  values: SchemaValues<typeof checkSchema>,
  baseDir: string,
  problems: Problem[],
): HttpCheckOptions {
  const entry = section.entries.get('header');
  const headers = values.header === null ? [] : [values.header];
  for (const more of entry?.repeats ?? []) {
    if (more.value === null) continue;
    const parsed = httpHeader(more.value);
    if (parsed.ok) headers.push(parsed.value);
    else
      problems.push(lineProblem(more.line, expectedFound('header', parsed.expected, more.value)));
  }
  const caLine = section.entries.get('ca')?.line ?? section.line;
  refuseUnused(section, values, problems);
  return {
    method: values.method,
    headers,
    expectBody: values.expect_body,
    tlsVerify: values.tls_verify,
    ca: values.ca === null ? null : readCa(resolve(baseDir, values.ca), caLine, problems),
  };
}

/** Reads the PEM file now, so a bad path is a config error and not a failing check. */
function readCa(
  file: string,
  line: number,
  problems: Problem[],
): { readonly file: string; readonly pem: string } | null {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    problems.push(
      lineProblem(
        line,
        `ca: cannot read ${file} (${code}); expected a readable PEM file of CA certificates`,
      ),
    );
    return null;
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    problems.push(
      lineProblem(
        line,
        `ca: ${file} holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" line)`,
      ),
    );
    return null;
  }
  return { file, pem };
}

/** expect_body needs a body (GET); ca needs verification on. */
function refuseUnused(
  section: CheckSection,
  values: SchemaValues<typeof checkSchema>,
  problems: Problem[],
): void {
  const bodyLine = section.entries.get('expect_body')?.line;
  if (bodyLine !== undefined && values.method === 'HEAD') {
    const message = 'expect_body: a HEAD answer has no body; use method = GET or remove the line';
    problems.push(lineProblem(bodyLine, message));
  }
  const caLine = section.entries.get('ca')?.line;
  if (caLine !== undefined && !values.tls_verify) {
    const message =
      'ca: trusted roots only count with tls_verify = true (certificates are not verified by default); add tls_verify = true';
    problems.push(lineProblem(caLine, message));
  }
}
