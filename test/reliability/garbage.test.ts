import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { daemonConfig, type RunningDaemon, startDaemon, stopDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { tempDir } from '../support/paths.js';
import { alive } from '../support/processes.js';

/** What came back on one raw connection. */
interface RawReply {
  /** Bytes received before the connection ended (latin1). */
  readonly text: string;
  /** The connection ended (FIN, reset or error) within the bound. */
  readonly closed: boolean;
  readonly error: string | null;
}

/**
 * Longer than the daemon's headersTimeout (5 s, checked every second): a payload that parses
 * as the start of a request may be held that long before the 408 and the close.
 */
const replyBoundMs = 9_000;

/** Writes `payload` on a fresh connection and collects the answer until the server closes. */
function sendRaw(port: number, payload: Buffer): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let error: string | null = null;
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed, error });
    };
    const timer = setTimeout(() => finish(false), replyBoundMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => finish(true));
    socket.on('connect', () => socket.write(payload));
  });
}

/** A deterministic pseudo-random byte string (the same bytes on every run). */
function noise(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/** The start of a TLS 1.2 ClientHello record, as a client that mistook us for HTTPS sends. */
const clientHello = Buffer.concat([
  Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
  noise(32, 7),
  Buffer.from([0x20]),
  noise(32, 8),
  Buffer.from([0x00, 0x04, 0x13, 0x01, 0x13, 0x02, 0x01, 0x00]),
]);

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

const payloads: Readonly<Record<string, Buffer>> = {
  'random bytes (1)': noise(512, 1),
  'random bytes (2)': noise(4_096, 2),
  'random bytes (3)': noise(64, 3),
  'GARBAGE line': ascii('GARBAGE\r\n\r\n'),
  'a 64 KiB header': ascii(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(65_536)}\r\n\r\n`),
  'a 20 KB request line': ascii(`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
  'an unknown method': ascii('FOO / HTTP/1.1\r\nHost: x\r\n\r\n'),
  'HTTP/0.9 style': ascii('GET /\r\n'),
  'null bytes': Buffer.alloc(256),
  'a null byte in the path': ascii('GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n'),
  'a null byte in a header': ascii('GET / HTTP/1.1\r\nHost: x\0y\r\n\r\n'),
  'a TLS ClientHello': clientHello,
  'an unknown HTTP version': ascii('GET / HTTP/9.9\r\nHost: x\r\n\r\n'),
  'a header without a colon': ascii('GET / HTTP/1.1\r\nHost x\r\n\r\n'),
  'a bare CR in a header': ascii('GET / HTTP/1.1\r\nHost: x\rX-Evil: 1\r\n\r\n'),
  'a bad chunked body': ascii(
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnonsense\r\n',
  ),
  'both Content-Length and chunked': ascii(
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  ),
  'empty lines only': ascii('\r\n\r\n\r\n\r\n'),
};

/** The status of the first response on the connection, or null when none came. */
function firstStatus(text: string): number | null {
  const match = /^HTTP\/1\.[01] (\d{3}) /.exec(text);
  return match ? Number(match[1]) : null;
}

describe('garbage on the HTTP socket', { timeout: 60_000 }, () => {
  const dir = tempDir('hcd-garbage-');
  let daemon: RunningDaemon | undefined;
  const replies = new Map<string, RawReply>();

  before(async () => {
    daemon = await startDaemon([daemonConfig(dir.path, 'garbage', 'command = true\n')], {
      cwd: dir.path,
    });
    const port = daemon.port;
    const sent = Object.entries(payloads).map(async ([name, payload]) => {
      replies.set(name, await sendRaw(port, payload));
    });
    await Promise.all(sent);
  });
  after(async () => {
    await stopDaemon(daemon);
    dir.cleanup();
  });

  for (const name of Object.keys(payloads)) {
    it(`${name}: a 4xx or a closed connection`, () => {
      const reply = replies.get(name);
      assert.ok(reply, 'sent');
      const status = firstStatus(reply.text);
      const summary = JSON.stringify({ ...reply, text: reply.text.slice(0, 200) });
      assert.ok(reply.closed, `the connection is still open after ${replyBoundMs} ms: ${summary}`);
      if (status !== null) assert.ok(status >= 400 && status < 500, summary);
      else assert.equal(reply.text, '', `not an HTTP answer: ${summary}`);
    });
  }

  it('a 64 KiB header gets 431', () => {
    assert.equal(firstStatus(replies.get('a 64 KiB header')?.text ?? ''), 431);
  });

  it('an unknown method gets 405 with Allow, or 400', () => {
    const text = replies.get('an unknown method')?.text ?? '';
    const status = firstStatus(text);
    assert.ok(status === 405 || status === 400, text);
    if (status === 405) assert.match(text, /^Allow: GET, HEAD\r$/im);
  });

  it('still answers a normal probe 200 afterwards, with the same pid', async () => {
    assert.ok(daemon);
    assert.equal((await httpRequest(daemon.port)).status, 200);
    assert.ok(alive(daemon.pid));
    assert.equal(daemon.child.exitCode, null);
    assert.doesNotMatch(daemon.stderr(), /uncaught|unhandled|FATAL/i);
  });
});
