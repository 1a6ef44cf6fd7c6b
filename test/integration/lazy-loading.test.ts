// What the CLI loads is what the command, the config and the requests so far need: the real
// CLI under a module hook that reports every module as it loads (docs/performance.md).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  daemonConfig,
  fixtures,
  httpRequest,
  runCli,
  startDaemon,
  stopDaemon,
  tempDir,
  type RunningDaemon,
} from '../support/daemon.js';
import { repoRoot } from '../support/paths.js';

const reportHook = `--import=${join(fixtures, 'daemon', 'module-report.mjs')}`;
// The single executable is one bundle: there is no module to see load.
const skip = process.env.HEALTHCHECKD_BIN ? 'HEALTHCHECKD_BIN: one bundle, no modules' : false;

/** The environment that makes the CLI report its modules to `<dir>/<name>.modules`. */
function reporting(dir: string, name: string): { env: NodeJS.ProcessEnv; loaded: () => string[] } {
  const file = join(dir, `${name}.modules`);
  return {
    env: { NODE_OPTIONS: reportHook, MODULE_REPORT: file },
    loaded: () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []),
  };
}

/** The modules in each file of the bundle, as esbuild wrote them (packaging/build-bundle.mjs). */
const bundleMeta = JSON.parse(readFileSync(join(repoRoot, 'dist', 'bundle.meta.json'), 'utf8')) as {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
};

/** The modules (dist/src/..., node_modules/...) in the files at `urls`: a chunk, those in it. */
const modulesIn = (urls: readonly string[]): string[] =>
  urls.flatMap((url) => {
    const path = relative(repoRoot, new URL(url).pathname);
    return Object.keys(bundleMeta.outputs[path]?.inputs ?? { [path]: true });
  });

/** Whether the files at `urls` hold the module at `path` (under dist/src/ or node_modules/). */
const has = (urls: readonly string[], path: string): boolean =>
  modulesIn(urls).some(
    (module) => module === `dist/src/${path}` || module.startsWith(`node_modules/${path}/`),
  );

/** Loaded by `run` only when something asks for them. */
const onDemand = ['http/status-page.js', 'daemon/metrics-registry.js', 'prom-client'];
/** Never loaded by `run`: other commands' code. */
const otherCommands = [
  'cli/status-client.js',
  'cli/format-check.js',
  'cli/check.js',
  'config/format.js',
  'checks/run-once.js',
];

describe('lazy loading: run', { skip, timeout: 90_000 }, () => {
  const dir = tempDir('hcd-lazy-');
  const report = reporting(dir.path, 'run-json');
  let daemon: RunningDaemon | undefined;

  before(async () => {
    const config = daemonConfig(dir.path, 'json', 'log_format = json\ncommand = true\n');
    daemon = await startDaemon(['run', config], { env: report.env });
  });
  after(async () => {
    await stopDaemon(daemon);
    dir.cleanup();
  });

  it('answers a probe with no status page, no prom-client, no pino-pretty, no yargs loaded', async () => {
    assert.equal((await httpRequest(daemon?.port ?? 0)).status, 200);
    const loaded = report.loaded();
    assert.ok(has(loaded, 'daemon/daemon.js'), 'the report sees the daemon load');
    assert.ok(has(loaded, 'pino'), 'the report sees a package in a chunk');
    for (const path of [...onDemand, ...otherCommands, 'pino-pretty', 'yargs'])
      assert.ok(!has(loaded, path), `${path} is loaded`);
  });

  it('loads the status page on the first HTML request, and serves it', async () => {
    const reply = await httpRequest(daemon?.port ?? 0, { headers: { accept: 'text/html' } });
    assert.equal(reply.status, 200);
    assert.match(reply.body, /^<!doctype html>/i);
    assert.ok(has(report.loaded(), 'http/status-page.js'));
  });

  it('loads prom-client on the first scrape, and serves the metrics', async () => {
    const reply = await httpRequest(daemon?.port ?? 0, { path: '/metrics' });
    assert.equal(reply.status, 200);
    assert.match(reply.body, /^healthcheckd_http_responses_total\{code="200"\} 2$/m);
    assert.match(reply.body, /^process_resident_memory_bytes \d+/m);
    assert.ok(has(report.loaded(), 'prom-client'));
    assert.ok(!has(report.loaded(), 'pino-pretty'), 'json logs need no pino-pretty');
  });
});

describe('lazy loading: text logs and the other commands', { skip, timeout: 90_000 }, () => {
  const local = tempDir('hcd-lazy-text-');
  after(() => local.cleanup());

  it('loads pino-pretty for log_format = text, and writes text lines', async () => {
    const report = reporting(local.path, 'run-text');
    const config = daemonConfig(local.path, 'text', 'log_format = text\ncommand = true\n');
    const daemon = await startDaemon(['run', config], { env: report.env });
    try {
      assert.match(daemon.stderr(), /^\[[0-9T:.-]+Z\] INFO \(\d+\): healthcheckd listening on /m);
      assert.ok(has(report.loaded(), 'pino-pretty'));
    } finally {
      await stopDaemon(daemon);
    }
  });

  it('status, down and up load no daemon and no logger', async () => {
    const config = daemonConfig(local.path, 'cli', 'command = true\n');
    for (const command of ['status', 'down', 'up']) {
      const report = reporting(local.path, command);
      const done = await runCli([command, config], { env: report.env });
      assert.notEqual(done.code, null, `${command} exited`);
      const loaded = report.loaded();
      assert.ok(has(loaded, 'cli/main.js'), `the report sees ${command} load`);
      for (const path of ['daemon/daemon.js', 'pino', 'prom-client', 'http/server.js'])
        assert.ok(!has(loaded, path), `${command} loaded ${path}`);
    }
  });

  it('validate loads no daemon, check no status client', async () => {
    const config = daemonConfig(local.path, 'once', 'command = true\n');
    const validate = reporting(local.path, 'validate');
    assert.equal((await runCli(['validate', config], { env: validate.env })).code, 0);
    assert.ok(!has(validate.loaded(), 'daemon/daemon.js'));
    assert.ok(has(validate.loaded(), 'config/format.js'));
    const check = reporting(local.path, 'check');
    assert.equal((await runCli(['check', config], { env: check.env })).code, 0);
    assert.ok(!has(check.loaded(), 'daemon/daemon.js'));
    assert.ok(!has(check.loaded(), 'cli/status-client.js'));
  });
});
