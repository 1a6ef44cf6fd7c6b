import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '../../src/daemon/metrics.js';

describe('metrics: dropped log lines', { timeout: 30_000 }, () => {
  it('counts the log lines dropped by a stalled stderr reader', async () => {
    let dropped = 0;
    const metrics = createMetrics({
      checks: () => [],
      maintenance: () => [],
      logLinesDropped: () => dropped,
    });
    assert.match(await metrics.render(), /^healthcheckd_log_lines_dropped_total 0$/m);
    dropped = 37;
    assert.match(await metrics.render(), /^healthcheckd_log_lines_dropped_total 37$/m);
    assert.match(await metrics.render(), /^# TYPE healthcheckd_log_lines_dropped_total counter$/m);
  });

  it('shows the counter at 0 when nothing tells it of drops', async () => {
    const metrics = createMetrics({ checks: () => [], maintenance: () => [] });
    assert.match(await metrics.render(), /^healthcheckd_log_lines_dropped_total 0$/m);
  });
});
