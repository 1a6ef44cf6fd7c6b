/**
 * The flags that find the daemon and the spool (`--piddir`, `--spool-dir`) and `--agent-port`,
 * and flags-only mode for `status`, `down` and `up` (loadLocation).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, loadLocation, parseConfigText } from '../../src/config/load.js';
import { HealthcheckdError } from '../../src/errors.js';

const env = { cwd: '/srv/work', isExecutable: () => true };

describe('--piddir, --spool-dir, --agent-port', { timeout: 5_000 }, () => {
  it('override the file, relative to the working directory', () => {
    const text =
      '[healthcheckd]\nport = 9000\npiddir = /run\nspool_dir = /var/spool/x\ncommand = true\n';
    const flags = { piddir: 'pids', spoolDir: 'spool' };
    const { daemon } = parseConfigText(text, '/etc/h.config', flags, env).config;
    assert.equal(daemon.piddir, '/srv/work/pids');
    assert.equal(daemon.pidfile, '/srv/work/pids/healthcheckd-9000.pid');
    assert.equal(daemon.spoolDir, '/srv/work/spool');
  });

  it('--agent-port serves the agent with the [agent] defaults, or replaces its port', () => {
    const bare = parseConfigText(
      '[healthcheckd]\ncommand = true\n',
      '/h',
      { agentPort: '9777' },
      env,
    );
    assert.deepEqual(bare.config.agent, {
      port: 9777,
      weight: { kind: 'none' },
      minWeight: 1,
      maintenance: 'drain',
    });
    const text = '[healthcheckd]\ncommand = true\n[agent]\nport = 9700\nmaintenance = maint\n';
    const replaced = parseConfigText(text, '/h', { agentPort: 9701 }, env).config.agent;
    assert.equal(replaced?.port, 9701);
    assert.equal(replaced?.maintenance, 'maint');
  });

  it('refuses a bad value naming the flag', () => {
    const text = '[healthcheckd]\ncommand = true\n';
    assert.throws(
      () => parseConfigText(text, '/h', { agentPort: '9999' }, env),
      (error: HealthcheckdError) => error.details.some((line) => /--agent-port/.test(line)),
    );
    assert.throws(
      () => parseConfigText(text, '/h', { agentPort: 'x' }, env),
      (error: HealthcheckdError) => error.details.some((line) => /--agent-port/.test(line)),
    );
  });
});

describe('loadLocation: flags only', { timeout: 5_000 }, () => {
  it('needs no check, where loadConfig does', () => {
    const { config } = loadLocation(null, { port: '9998', spoolDir: 'spool' }, '/srv/work');
    assert.equal(config.daemon.port, 9998);
    assert.equal(config.daemon.spoolDir, '/srv/work/spool');
    assert.deepEqual(config.checks, []);
    assert.throws(
      () => loadConfig(null, { port: '9998' }, '/srv/work'),
      (error: HealthcheckdError) => error.details.some((line) => /no check configured/.test(line)),
    );
  });

  it('a missing file suggests the flags of the command at hand', () => {
    assert.throws(
      () => loadLocation('/nonexistent.config', {}),
      /pass the path of your config, or the daemon's --port \(and --spool-dir\)$/,
    );
    assert.throws(() => loadConfig('/nonexistent.config', {}), /add checks with --command/);
  });
});
