import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  httpRequest,
  startDaemon,
  tempDir,
  type Exit,
  type RunningDaemon,
} from '../support/daemon.js';
import { daemonConfig, stopDaemon } from './procfs.js';

/**
 * Every request runs the check, and at debug every run logs a line with its 4 KiB of output:
 * 400 of them are some 1.7 MB, past the pipe (64 KiB) and the daemon's 1 MiB of held lines.
 */
const requests = 400;

function stallConfig(dir: string, format: 'json' | 'text'): string {
  return daemonConfig(
    dir,
    `stall-${format}`,
    `spool_dir = ${dir}/spool\nlog_level = debug\nlog_format = ${format}\ncommand = "printf '%04000d' 0"\n`,
  );
}

/** Probes the daemon one request after another; returns the statuses that were not 200. */
async function probe(port: number, count: number): Promise<string[]> {
  const failures: string[] = [];
  for (let n = 0; n < count && failures.length < 3; n += 1) {
    try {
      const reply = await httpRequest(port, { timeoutMs: 10_000 });
      if (reply.status !== 200) failures.push(`request ${n + 1}: ${reply.status}`);
    } catch (error) {
      failures.push(`request ${n + 1}: ${(error as Error).message}`);
    }
  }
  return failures;
}

async function droppedMetric(port: number): Promise<number> {
  const reply = await httpRequest(port, { path: '/metrics', timeoutMs: 10_000 });
  const match = /^healthcheckd_log_lines_dropped_total (\d+)$/m.exec(reply.body);
  assert.ok(match, `no dropped-lines counter in /metrics:\n${reply.body.slice(0, 2_000)}`);
  return Number(match[1]);
}

/** Resolves with the exit, or null when the process is still there after `ms`. */
function exitWithin(daemon: RunningDaemon, ms: number): Promise<Exit | null> {
  return Promise.race([
    daemon.exited,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), ms).unref()),
  ]);
}

function assertWarning(line: string, format: 'json' | 'text', dropped: number): void {
  const message = `${dropped} log lines were dropped while stderr was not being read`;
  if (format === 'text') {
    assert.match(line, new RegExp(`^\\[[^\\]]+\\] WARN \\(\\d+\\): ${message}`));
    return;
  }
  const entry = JSON.parse(line) as Record<string, unknown>;
  assert.equal(entry.level, 40);
  assert.equal(entry.msg, message);
  assert.equal(entry.droppedLines, dropped);
}

describe('a stalled stderr reader', { timeout: 120_000 }, () => {
  for (const format of ['json', 'text'] as const) {
    it(
      `costs log lines, never answers; the loss is counted and reported once (log_format = ${format})`,
      { timeout: 180_000 },
      async () => {
        const dir = tempDir('hcd-stall-');
        let daemon: RunningDaemon | undefined;
        try {
          daemon = await startDaemon(['run', stallConfig(dir.path, format)]);
          daemon.child.stderr?.pause();
          assert.deepEqual(await probe(daemon.port, requests), [], 'every probe answered');
          const dropped = await droppedMetric(daemon.port);
          assert.ok(dropped > 0, 'lines were dropped, and counted');

          daemon.child.stderr?.resume();
          // The lookbehind keeps the regex linear over kilobytes of digits in the check's output.
          const report = await daemon.waitFor(/(?<!\d)(\d{1,12}) log lines were dropped/, 30_000);
          const reported = Number(report[1]);
          assert.equal(reported, await droppedMetric(daemon.port), 'the report names the loss');
          assert.ok(reported >= dropped);
          assert.deepEqual(await probe(daemon.port, 5), []);
          const reports = daemon
            .stderr()
            .split('\n')
            .filter((line) => line.includes('log lines were dropped'));
          assert.equal(reports.length, 1, 'reported once, on one line');
          assertWarning(reports[0] ?? '', format, reported);
          assert.deepEqual(await daemon.stop(), { code: 0, signal: null });
        } finally {
          await stopDaemon(daemon);
          dir.cleanup();
        }
      },
    );
  }

  it(
    'does not hold up a stop: SIGTERM still ends the daemon, exit 0',
    { timeout: 120_000 },
    async () => {
      const dir = tempDir('hcd-stall-');
      let daemon: RunningDaemon | undefined;
      try {
        daemon = await startDaemon(['run', stallConfig(dir.path, 'text')]);
        daemon.child.stderr?.pause();
        assert.deepEqual(await probe(daemon.port, requests), [], 'every probe answered');
        assert.ok((await droppedMetric(daemon.port)) > 0, 'the reader stalls with lines held');
        daemon.child.kill('SIGTERM');
        const exit = await exitWithin(daemon, 15_000);
        assert.deepEqual(exit, { code: 0, signal: null }, 'stopped while its reader still stalls');
      } finally {
        await stopDaemon(daemon);
        dir.cleanup();
      }
    },
  );
});
