import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { daemonConfig, startDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { tempDir } from '../support/paths.js';

interface Entry {
  status: string;
  durationMs: number | null;
  observedValue?: number;
  observedUnit?: string;
  perfdata?: { label: string; value: number; unit: string }[];
  perfdataNotes?: string[];
}

describe('performance data from a real daemon', { timeout: 60_000 }, () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('shows a command check’s perfdata in health+json and /metrics, and drops labels it stops printing', async () => {
    const out = join(dir.path, 'output');
    const config = daemonConfig(dir.path, 'perf', `[check:replica]\ncommand = cat ${out}\n`);
    writeFileSync(out, "lag 12s <= 30s | lag=12s;;30;0 'queue depth'=3;;;0;\n");
    const daemon = await startDaemon([config]);
    try {
      const json = async (): Promise<Entry | undefined> => {
        const reply = await httpRequest(daemon.port, { path: '/?format=json' });
        assert.equal(reply.status, 200);
        return (JSON.parse(reply.body) as { checks: Record<string, Entry[]> }).checks.replica?.[0];
      };
      const metrics = async (): Promise<string> =>
        (await httpRequest(daemon.port, { path: '/metrics' })).body;

      const first = await json();
      assert.equal(first?.observedValue, 12);
      assert.equal(first?.observedUnit, 's');
      assert.equal(typeof first?.durationMs, 'number');
      assert.deepEqual(
        first?.perfdata?.map(({ label, value, unit }) => [label, value, unit]),
        [
          ['lag', 12, 's'],
          ['queue depth', 3, ''],
        ],
      );
      let text = await metrics();
      assert.match(text, /^healthcheckd_check_perfdata\{check="replica",label="lag"\} 12$/m);
      assert.match(text, /^healthcheckd_check_perfdata\{check="replica",label="queue depth"\} 3$/m);

      writeFileSync(out, 'lag 13s <= 30s | lag=13s;;30;0 broken=;;\n');
      const second = await json();
      assert.equal(second?.status, 'pass', 'malformed perfdata never fails a check');
      assert.equal(second?.observedValue, 13);
      assert.match(second?.perfdataNotes?.[0] ?? '', /"broken=;;": the value is not a number/);
      text = await metrics();
      assert.match(text, /^healthcheckd_check_perfdata\{check="replica",label="lag"\} 13$/m);
      assert.doesNotMatch(text, /label="queue depth"/, 'a label no longer printed is gone');

      writeFileSync(out, 'lag 0s\n');
      const third = await json();
      assert.equal(third?.observedValue, undefined);
      assert.equal(third?.perfdata, undefined);
      assert.doesNotMatch(await metrics(), /^healthcheckd_check_perfdata\{/m);
    } finally {
      await daemon.stop();
    }
  });
});
