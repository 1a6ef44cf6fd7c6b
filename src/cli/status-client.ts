import { request } from 'node:http';
import { inForce } from '../maintenance/flag.js';
import { scopeName } from '../util/text.js';
import { readSpool, type SpoolEntry } from '../maintenance/spool.js';
import type { ResolvedConfig, Status } from '../types.js';
import { urlHost } from '../util/listen.js';
import { formatCheckLine, nameWidth } from './format-check.js';

/** The daemon's health+json document, as far as `status` reads it. */
interface Document {
  readonly status: Status;
  readonly maintenance?: { readonly reason: string };
  readonly checks: Record<
    string,
    readonly { status: string; observedValue: number | null; output?: string }[]
  >;
}

/** What `healthcheckd status` found. */
export interface StatusReport {
  readonly flags: readonly SpoolEntry[];
  readonly url: string;
  readonly document: Document | null;
  readonly error: string | null;
}

/** The address to reach the daemon: loopback when it listens on every interface. */
export function daemonUrl(config: ResolvedConfig): string {
  const { bind, port } = config.daemon;
  const host = bind === '0.0.0.0' ? '127.0.0.1' : bind === '::' ? '::1' : bind;
  return `http://${urlHost(host)}:${port}/?format=json`;
}

/** Reads the flags in force and asks the running daemon for its live results. */
export async function collectStatus(
  config: ResolvedConfig,
  now = Date.now(),
): Promise<StatusReport> {
  const flags = readSpool(config.daemon.spoolDir).filter((entry) => inForce(entry.flag, now));
  const url = daemonUrl(config);
  try {
    const document = JSON.parse(await fetchText(url)) as Partial<Document> | null;
    if (!isDocument(document)) {
      return { flags, url, document: null, error: 'the answer is not healthcheckd health+json' };
    }
    return { flags, url, document, error: null };
  } catch (error) {
    return { flags, url, document: null, error: (error as Error).message };
  }
}

function isDocument(value: Partial<Document> | null): value is Document {
  const known: unknown[] = ['pass', 'warn', 'fail'];
  return (
    typeof value === 'object' &&
    value !== null &&
    known.includes(value.status) &&
    typeof value.checks === 'object' &&
    value.checks !== null
  );
}

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'application/health+json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end();
  });
}

/** Nagios-style exit: 0 pass and no flag, 1 warn or a flag, 2 fail, 3 no daemon answers. */
export function statusExitCode(report: StatusReport): number {
  if (report.document === null) return 3;
  if (report.document.status === 'fail' && !report.document.maintenance) return 2;
  if (report.flags.length > 0 || report.document.maintenance || report.document.status === 'warn')
    return 1;
  return 0;
}

/** The human-readable status: flags (reason, by, since, until), then the daemon's checks. */
export function formatStatus(report: StatusReport, now = Date.now()): string {
  const lines =
    report.flags.length === 0
      ? ['maintenance: none']
      : report.flags.map((entry) => flagLine(entry, now));
  if (report.document === null) {
    lines.push(`daemon: no answer from ${report.url} (${report.error ?? 'unknown error'})`);
    return `${lines.join('\n')}\n`;
  }
  const doc = report.document;
  const state = doc.maintenance
    ? `MAINTENANCE: ${doc.maintenance.reason}`
    : doc.status.toUpperCase();
  lines.push(`daemon: ${state} (${report.url})`);
  const width = nameWidth(Object.keys(doc.checks));
  for (const [name, [entry]] of Object.entries(doc.checks)) {
    if (!entry) continue;
    const line = { name, status: entry.status, durationMs: entry.observedValue };
    lines.push(`  ${formatCheckLine({ ...line, output: entry.output ?? '' }, width)}`);
  }
  return `${lines.join('\n')}\n`;
}

function flagLine({ scope, flag }: SpoolEntry, now: number): string {
  const until =
    flag.until === null
      ? 'until `healthcheckd up`'
      : `until ${new Date(flag.until).toISOString()} (${Math.ceil((flag.until - now) / 60_000)} min left)`;
  return `maintenance: ${scopeName(scope)}: "${flag.reason}" by ${flag.by} since ${new Date(flag.since).toISOString()} ${until}`;
}
