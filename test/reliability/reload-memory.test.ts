import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LoadedConfig } from '../../src/config/load.js';
import { binPath } from '../support/daemon.js';
import { freePort, get, startInProcess } from '../support/inprocess.js';

/** `gc()`, made available without starting node with --expose-gc. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Forty checks, as R-03 has them: each keeps a result, none runs more than once an hour. */
function fortyChecks(): string {
  return Array.from(
    { length: 40 },
    (_, i) =>
      `[check:c${i}]\ncommand = "exit 0 # check ${i}, a real-looking line"\ncache_pass = 1h\n`,
  ).join('\n');
}

describe('memory across reloads', { timeout: 120_000 }, () => {
  it('a replaced runtime is garbage collected (in process)', { timeout: 60_000 }, async () => {
    const gc = exposeGc();
    // Each load's config and check definitions: a runtime holds its config, its runners
    // hold their definitions, so either kept alive shows a runtime or a runner kept alive.
    const loads: WeakRef<object>[][] = [];
    const keepRefs = (load: () => LoadedConfig) => (): LoadedConfig => {
      const loaded = load();
      loads.push([loaded.config, ...loaded.config.checks].map((value) => new WeakRef(value)));
      return loaded;
    };
    const reachable = (): number =>
      loads.slice(0, -1).filter((refs) => refs.some((ref) => ref.deref() !== undefined)).length;
    const agentPort = await freePort();
    const body = (command: string): string =>
      `port = 0\nbind = 127.0.0.1\n[check:a]\ncommand = true\ninterval = 50ms\n` +
      `[check:b]\ncommand = ${command}\n[agent]\nport = ${agentPort}\nweight = cpu\n`;
    const hcd = await startInProcess(body('true'), keepRefs);
    try {
      for (let i = 0; i < 20; i += 1) {
        // Every other reload changes check b: runners are both carried over and replaced.
        hcd.write(body(i % 2 === 0 ? 'false' : 'true'));
        await hcd.daemon.reload();
        await get(hcd.daemon.port(), { path: '/check/b' });
      }
      assert.equal(loads.length, 21);
      let kept = reachable();
      // A run handed over on the last reload may still hold its runner for a moment.
      for (let attempt = 0; attempt < 50 && kept > 0; attempt += 1) {
        await sleep(20);
        gc();
        kept = reachable();
      }
      assert.equal(kept, 0, `${kept} of 20 replaced runtimes are still reachable`);
      assert.ok(loads.at(-1)?.[0]?.deref(), 'the config in force is kept');
    } finally {
      await hcd.cleanup();
    }
  });

  it(
    '10,000 SIGHUPs with 40 checks in a 64 MiB heap: the daemon survives and answers',
    {
      timeout: 300_000,
    },
    async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'hcd-reload-memory-'));
      const config = join(dir, 'c.config');
      writeFileSync(
        config,
        `[healthcheckd]\nport = 0\nbind = 127.0.0.1\npiddir = ${dir}\nspool_dir = ${dir}/spool\n` +
          `log_format = json\n\n${fortyChecks()}`,
      );
      const child = spawn(process.execPath, ['--max-old-space-size=64', binPath, 'run', config], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const exited = new Promise<string>((resolve) =>
        child.once('exit', (code, signal) => resolve(`exit ${code ?? signal}`)),
      );
      let port = 0;
      let reloads = 0;
      let tail = '';
      let partial = '';
      child.stderr.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (line.includes('"config reloaded"')) reloads += 1;
          const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
          if (match) port = Number(match[1]);
          tail = line;
        }
      });
      let hups: NodeJS.Timeout | undefined;
      try {
        for (let i = 0; i < 200 && port === 0 && child.exitCode === null; i += 1) await sleep(50);
        assert.notEqual(port, 0, `the daemon did not start: ${tail}`);
        const heapAtStart = await heapUsedMiB(port);
        const started = Date.now();
        // SIGHUPs coalesce (in the kernel and in the daemon's reload queue): send until 10,000
        // reloads are logged, the daemon dies, or 4 minutes pass.
        hups = setInterval(() => child.kill('SIGHUP'), 1);
        while (reloads < 10_000 && child.exitCode === null && Date.now() - started < 240_000) {
          await sleep(200);
        }
        clearInterval(hups);
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        assert.equal(child.exitCode, null, `the daemon died after ${reloads} reloads: ${tail}`);
        assert.ok(reloads >= 10_000, `only ${reloads} reloads in ${seconds} s`);
        await sleep(300);
        assert.equal((await get(port)).status, 200);
        const heapAtEnd = await heapUsedMiB(port);
        t.diagnostic(
          `${reloads} reloads in ${seconds} s; heap used ${heapAtStart} -> ${heapAtEnd} MiB; ` +
            `VmRSS ${rssMiB(child.pid ?? 0)} MiB`,
        );
      } finally {
        clearInterval(hups);
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

async function heapUsedMiB(port: number): Promise<string> {
  const { body } = await get(port, { path: '/metrics' });
  const bytes = Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(body)?.[1]);
  return (bytes / 2 ** 20).toFixed(1);
}

function rssMiB(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return (kib / 1024).toFixed(0);
}
