import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bodyLimitBytes, plainGet, runHttpGet } from '../../src/checks/http-get.js';
import type { HttpCheckOptions, StatusRange } from '../../src/types.js';
import { close, listen } from '../support/listen.js';
import { requireProgram } from '../support/programs.js';

const expect: readonly StatusRange[] = [{ from: 200, to: 399 }];
const get = (options: Partial<HttpCheckOptions>): HttpCheckOptions => ({ ...plainGet, ...options });

describe('http checks: method, headers, expect_body', { timeout: 30_000 }, () => {
  const seen: { method: string; headers: IncomingMessage['headers'] }[] = [];
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/ok': (_req, res) => res.end('{"status":"UP"}'),
    '/late': (_req, res) => res.end(`${'x'.repeat(bodyLimitBytes)}MARKER`),
    '/cut': (_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('status UP, and then');
      setTimeout(() => res.destroy(), 50);
    },
  };
  let server: Server;
  let base: string;

  before(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method ?? '', headers: req.headers });
      (routes[req.url ?? ''] ?? routes['/ok']!)(req, res);
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });

  after(() => {
    server.closeAllConnections();
    return close(server);
  });

  it('sends HEAD when asked and passes on the status alone', async () => {
    seen.length = 0;
    const result = await runHttpGet(`${base}/ok`, expect, 5_000, 5_000, get({ method: 'HEAD' }));
    assert.equal(result.status, 'pass');
    assert.equal(result.output, 'HTTP 200\n');
    assert.equal(seen[0]?.method, 'HEAD');
  });

  it('sends every configured header, and may replace the user agent', async () => {
    seen.length = 0;
    const headers = [
      ['Host', 'api.example'],
      ['X-Probe', 'a=b; c'],
      ['User-Agent', 'kube-probe/1.30'],
    ] as const;
    await runHttpGet(`${base}/ok`, expect, 5_000, 5_000, get({ headers }));
    assert.equal(seen[0]?.headers.host, 'api.example');
    assert.equal(seen[0]?.headers['x-probe'], 'a=b; c');
    assert.equal(seen[0]?.headers['user-agent'], 'kube-probe/1.30');
  });

  it('passes when the body matches expect_body and fails, saying so, when it does not', async () => {
    const match = await runHttpGet(`${base}/ok`, expect, 5_000, 5_000, get({ expectBody: '"UP"' }));
    assert.equal(match.status, 'pass');
    const miss = await runHttpGet(`${base}/ok`, expect, 5_000, 5_000, get({ expectBody: 'DOWN' }));
    assert.equal(miss.status, 'fail');
    assert.equal(miss.httpStatus, 200);
    assert.match(miss.output, /\[body does not match expect_body \/DOWN\/\]$/);
  });

  it('matches only the first 64 KiB of the body', async () => {
    const options = get({ expectBody: 'MARKER' });
    const result = await runHttpGet(`${base}/late`, expect, 5_000, 5_000, options);
    assert.equal(result.status, 'fail', 'MARKER comes after the first 64 KiB');
    const early = await runHttpGet(
      `${base}/late`,
      expect,
      5_000,
      5_000,
      get({ expectBody: '^x+$' }),
    );
    assert.equal(early.status, 'pass');
  });

  it('fails a body cut short under expect_body, even when what came matches', async () => {
    const options = get({ expectBody: 'UP' });
    const result = await runHttpGet(`${base}/cut`, expect, 5_000, 5_000, options);
    assert.equal(result.status, 'fail');
    assert.match(result.output, /\[answer cut: /);
    const plain = await runHttpGet(`${base}/cut`, expect, 5_000);
    assert.equal(plain.status, 'pass', 'without expect_body the status decides');
  });
});

describe(
  'http checks: HTTPS certificates',
  { timeout: 60_000, skip: requireProgram('openssl') },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'hc-tls-'));
    const file = (name: string): string => join(dir, name);
    const servers: Server[] = [];
    let signedUrl = '';
    let selfSignedUrl = '';
    let caPem = '';

    const openssl = (...args: string[]): void => {
      execFileSync('openssl', args, { stdio: 'pipe', timeout: 20_000 });
    };
    const serve = async (key: string, cert: string): Promise<string> => {
      const server = createHttpsServer(
        { key: readFileSync(file(key)), cert: readFileSync(file(cert)) },
        (_req, res) => res.end('secure'),
      );
      servers.push(server);
      return `https://127.0.0.1:${await listen(server)}/health`;
    };

    before(async () => {
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
      // A test CA (also served as-is: a self-signed certificate without 127.0.0.1 in it).
      openssl(
        'req',
        '-x509',
        ...ec,
        '-days',
        '2',
        '-subj',
        '/CN=healthcheckd test CA',
        '-keyout',
        file('ca.key'),
        '-out',
        file('ca.pem'),
      );
      // A server certificate for 127.0.0.1 signed by that CA.
      openssl(
        'req',
        ...ec,
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        file('server.key'),
        '-out',
        file('server.csr'),
      );
      writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
      openssl(
        'x509',
        '-req',
        '-in',
        file('server.csr'),
        '-CA',
        file('ca.pem'),
        '-CAkey',
        file('ca.key'),
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        file('san.ext'),
        '-out',
        file('server.pem'),
      );
      caPem = readFileSync(file('ca.pem'), 'utf8');
      signedUrl = await serve('server.key', 'server.pem');
      selfSignedUrl = await serve('ca.key', 'ca.pem');
    });

    after(async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await close(server);
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it('passes against a self-signed certificate by default (no verification, as Kubernetes and hacheck)', async () => {
      const result = await runHttpGet(selfSignedUrl, expect, 5_000);
      assert.equal(result.status, 'pass', result.output);
      assert.equal(result.output, 'HTTP 200\nsecure');
    });

    it('fails with tls_verify = true against a certificate no trusted root signed', async () => {
      const options = get({ tlsVerify: true });
      const self = await runHttpGet(selfSignedUrl, expect, 5_000, 5_000, options);
      assert.equal(self.status, 'fail');
      assert.equal(self.output, `GET ${selfSignedUrl}: DEPTH_ZERO_SELF_SIGNED_CERT`);
      const signed = await runHttpGet(signedUrl, expect, 5_000, 5_000, options);
      assert.equal(signed.status, 'fail');
      assert.match(signed.output, /: UNABLE_TO_VERIFY_LEAF_SIGNATURE$/);
    });

    it('passes with tls_verify = true and ca = the test CA, which signed the certificate', async () => {
      const options = get({ tlsVerify: true, ca: { file: file('ca.pem'), pem: caPem } });
      const result = await runHttpGet(signedUrl, expect, 5_000, 5_000, options);
      assert.equal(result.status, 'pass', result.output);
      const wrongName = await runHttpGet(selfSignedUrl, expect, 5_000, 5_000, options);
      assert.equal(wrongName.status, 'fail', 'the CA certificate does not name 127.0.0.1');
      assert.match(wrongName.output, /ERR_TLS_CERT_ALTNAME_INVALID|Hostname\/IP does not match/);
    });
  },
);
