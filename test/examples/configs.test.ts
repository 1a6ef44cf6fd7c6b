import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { binPath as bin, examples, repoRoot as root, tempDir } from '../support/paths.js';
import { requireProgram } from '../support/programs.js';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], input?: string): Run {
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
    ...(input === undefined ? {} : { input }),
  });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function validate(file: string): Run {
  return run(process.execPath, [bin, 'validate', file]);
}

/** False when `name` is on PATH, else why the test is skipped (these tools are optional). */
const needs = (name: string): string | false => requireProgram(name, { optional: true });

/** `validate` output as { "section": { key: value } }; commented keys are left out. */
function resolved(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const line of text.split('\n')) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1] !== undefined) {
      current = sections[header[1]] = {};
      continue;
    }
    const entry = /^([a-z_]+) = (.*)$/.exec(line);
    if (entry?.[1] !== undefined && entry[2] !== undefined && current) current[entry[1]] = entry[2];
  }
  return sections;
}

function resolvedFile(name: string): Record<string, Record<string, string>> {
  const result = validate(join(examples, name));
  assert.equal(result.code, 0, `${name} does not validate:\n${result.stderr}`);
  return resolved(result.stdout);
}

/** The literal block scalar `key: |` of a YAML text, dedented. */
function yamlBlock(text: string, key: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trimStart() === `${key}: |`);
  assert.notEqual(start, -1, `no "${key}: |" block`);
  const keyIndent = (lines[start] ?? '').length - (lines[start] ?? '').trimStart().length;
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const indent = line.length - line.trimStart().length;
    if (line.trim() !== '' && indent <= keyIndent) break;
    body.push(line);
  }
  const indent = Math.min(
    ...body.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length),
  );
  return body.map((line) => line.slice(indent)).join('\n');
}

const configs = readdirSync(examples).filter((name) => name.endsWith('.config'));
const scripts = ['mysql-replica-lag.sh', 'cpu-pool.sh'];

describe('examples: every config validates', { timeout: 60_000 }, () => {
  it('ships the configs the docs link to', () => {
    for (const name of [
      'random_example.config',
      'mysql-replica.config',
      'cpu-pool.config',
      'multi-check.config',
    ]) {
      assert.ok(configs.includes(name), `examples/${name} is missing`);
    }
  });

  for (const name of configs) {
    it(`healthcheckd validate examples/${name} exits 0`, () => {
      const result = validate(join(examples, name));
      assert.equal(result.code, 0, `stderr:\n${result.stderr}`);
      assert.match(result.stdout, /^\[check:/m);
    });
  }

  it('keeps the seed example exactly as the Python tool wrote it', () => {
    assert.equal(
      readFileSync(join(examples, 'random_example.config'), 'utf8'),
      '[healthcheckd]\npidfile = demo.pid\nport = 9999\ncommand = "test ${RANDOM: -1} -ge 5"\n',
    );
  });
});

describe('examples: the configs say what the docs say', { timeout: 60_000 }, () => {
  it('mysql-replica.config: background check of the lag script, warn on exit 1', () => {
    const check = resolvedFile('mysql-replica.config')['check:mysql-replica'];
    assert.ok(check, 'no [check:mysql-replica]');
    assert.equal(check.command, '/usr/local/lib/healthcheckd/mysql-replica-lag.sh 30 10');
    assert.equal(check.interval, '5s');
    assert.equal(check.timeout, '3s');
    assert.equal(check.rise, '2');
    assert.equal(check.fall, '3');
    assert.equal(check.warn_exit_codes, '1');
  });

  it('cpu-pool.config: a CPU check and an agent weighing by idle CPU, at least 10%', () => {
    const config = resolvedFile('cpu-pool.config');
    assert.match(config['check:cpu']?.command ?? '', /\/cpu-pool\.sh 90 75$/);
    assert.equal(config['check:cpu']?.warn_exit_codes, '1');
    assert.equal(config.agent?.weight, 'cpu');
    assert.equal(config.agent?.min_weight, '10%');
    assert.equal(config.agent?.port, '9777');
  });

  it('multi-check.config: two ports and a script, Runscope TTLs, ready and live groups', () => {
    const config = resolvedFile('multi-check.config');
    const checks = Object.keys(config).filter((s) => s.startsWith('check:'));
    assert.equal(checks.length, 3);
    assert.ok(config['check:app']?.tcp);
    assert.ok(config['check:zookeeper']?.tcp);
    const script = config['check:zookeeper-mode'];
    assert.ok(script?.command);
    assert.equal(script.cache_pass, '27s');
    assert.equal(script.cache_fail, '9s');
    assert.equal(script.group, 'ready');
    for (const name of ['check:app', 'check:zookeeper']) {
      assert.deepEqual(config[name]?.group?.split(/[ ,]+/).sort(), ['live', 'ready']);
    }
  });
});

describe('examples: manifests', { timeout: 60_000 }, () => {
  const { path: dir, cleanup } = tempDir('hcd-examples-');
  after(cleanup);

  it('kubernetes.yaml: the ConfigMap config validates and serves the probed groups', () => {
    const yaml = readFileSync(join(examples, 'kubernetes.yaml'), 'utf8');
    const file = join(dir, 'kubernetes.config');
    writeFileSync(file, yamlBlock(yaml, 'healthcheckd.config'));
    const result = validate(file);
    assert.equal(result.code, 0, `the ConfigMap's config does not validate:\n${result.stderr}`);
    const config = resolved(result.stdout);
    const groups = new Set(
      Object.values(config).flatMap((section) => (section.group ?? '').split(/[ ,]+/)),
    );
    const probes = [
      ...yaml.matchAll(/(\w+Probe):\s*\n\s*httpGet:\s*\n\s*path: (\S+)\s*\n\s*port: (\d+)/g),
    ];
    const kinds = probes.map((probe) => probe[1]);
    assert.ok(kinds.includes('readinessProbe') && kinds.includes('livenessProbe'), `${kinds}`);
    for (const [, kind, path, port] of probes) {
      assert.equal(port, config.healthcheckd?.port, `${kind} port`);
      assert.ok(groups.has((path ?? '').slice(1)), `${kind} path ${path} is not a group`);
    }
    assert.equal(config.healthcheckd?.bind, '0.0.0.0', 'the kubelet probes the Pod IP');
    const grace = Number(/terminationGracePeriodSeconds: (\d+)/.exec(yaml)?.[1]);
    const delay = Number(/^(\d+)s$/.exec(config.healthcheckd?.shutdown_delay ?? '')?.[1]);
    assert.ok(delay > 0 && delay + 2 < grace, `shutdown_delay ${delay}s vs grace ${grace}s`);
  });

  it('kubernetes.yaml: the commented gRPC variant validates and names a group', () => {
    const yaml = readFileSync(join(examples, 'kubernetes.yaml'), 'utf8');
    const file = join(dir, 'kubernetes-grpc.config');
    const config = yamlBlock(yaml, 'healthcheckd.config').replace(
      /^; \[grpc\]\n; port = (\d+)$/m,
      '[grpc]\nport = $1',
    );
    writeFileSync(file, config);
    const result = validate(file);
    assert.equal(result.code, 0, `the gRPC variant does not validate:\n${result.stderr}`);
    const sections = resolved(result.stdout);
    const probe = /# readinessProbe:\n\s*#\s+grpc:\n\s*#\s+port: (\d+)\n\s*#\s+service: (\S+)/.exec(
      yaml,
    );
    assert.ok(probe, 'no commented grpc readinessProbe');
    assert.equal(probe[1], sections.grpc?.port, 'grpc probe port');
    const groups = Object.values(sections).flatMap((section) =>
      (section.group ?? '').split(/[ ,]+/),
    );
    assert.ok(groups.includes(probe[2] ?? ''), `service ${probe[2]} is not a group`);
  });

  it('consul-service.json: an HTTP check of a check that the replica config defines', () => {
    const service = JSON.parse(readFileSync(join(examples, 'consul-service.json'), 'utf8')) as {
      service: { checks: { http: string; interval: string; timeout: string }[] };
    };
    const [check] = service.service.checks;
    assert.ok(check);
    const url = new URL(check.http);
    const config = resolvedFile('mysql-replica.config');
    assert.equal(url.port, config.healthcheckd?.port);
    const name = /^\/check\/(.+)$/.exec(url.pathname)?.[1];
    assert.ok(name && config[`check:${name}`], `${url.pathname} names no check`);
    assert.match(check.interval, /^\d+s$/);
    assert.match(check.timeout, /^\d+s$/);
  });

  it('haproxy.cfg: checks healthcheckd on 9999 and its agent on 9777', () => {
    const cfg = readFileSync(join(examples, 'haproxy.cfg'), 'utf8');
    const active = cfg
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter((line) => line !== '');
    assert.ok(active.includes('option httpchk GET /'));
    assert.ok(active.includes('http-check expect status 200'));
    assert.ok(!active.includes('http-check disable-on-404'), 'disable-on-404 needs 404 opt-in');
    assert.match(cfg, /^\s*# http-check disable-on-404$/m);
    const defaults = active.find((line) => line.startsWith('default-server')) ?? '';
    for (const part of ['inter 2s', 'fall 2', 'rise 2', 'check port 9999', 'agent-port 9777']) {
      assert.ok(defaults.includes(part), `default-server lacks "${part}"`);
    }
    assert.ok(defaults.includes('agent-check') && defaults.includes('agent-inter 2s'));
    assert.equal(resolvedFile('cpu-pool.config').agent?.port, '9777');
    assert.ok(active.some((line) => line.startsWith('stats socket ')));
    assert.equal(active.filter((line) => line.startsWith('server ')).length, 2);
  });

  it('haproxy.cfg: haproxy -c accepts it', { skip: needs('haproxy') }, () => {
    const result = run('haproxy', ['-c', '-f', join(examples, 'haproxy.cfg')]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
  });

  it('healthcheckd.service: reload by SIGHUP, no restart loop on a config error', () => {
    const unit = readFileSync(join(examples, 'healthcheckd.service'), 'utf8');
    const lines = new Set(unit.split('\n').map((line) => line.trim()));
    for (const line of [
      'ExecStart=/usr/bin/healthcheckd run /etc/healthcheckd.config',
      'ExecReload=/bin/kill -HUP $MAINPID',
      'Restart=on-failure',
      'RestartPreventExitStatus=78',
      'NoNewPrivileges=yes',
      'User=healthcheckd',
      'RuntimeDirectory=healthcheckd',
      'StateDirectory=healthcheckd',
    ]) {
      assert.ok(lines.has(line), `missing: ${line}`);
    }
    assert.ok(!lines.has('MemoryDenyWriteExecute=yes'), "Node's JIT needs W+X memory");
  });

  it(
    'healthcheckd.service: systemd-analyze verify accepts it',
    { skip: needs('systemd-analyze') },
    () => {
      // verify insists that ExecStart exists: point it at a program that does.
      const unit = readFileSync(join(examples, 'healthcheckd.service'), 'utf8');
      const file = join(dir, 'healthcheckd.service');
      writeFileSync(file, unit.replaceAll('/usr/bin/healthcheckd', process.execPath));
      const result = run('systemd-analyze', ['verify', file]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
    },
  );
});

describe('examples: scripts', { timeout: 60_000 }, () => {
  for (const name of scripts) {
    const file = join(examples, name);

    it(`${name} is executable`, () => {
      accessSync(file, constants.X_OK);
      assert.match(readFileSync(file, 'utf8'), /^#!\/bin\/sh\n/);
    });

    for (const shell of ['sh', 'bash']) {
      it(`${name} parses with ${shell} -n`, { skip: needs(shell) }, () => {
        const result = run(shell, ['-n', file]);
        assert.equal(result.code, 0, result.stderr);
      });
    }

    it(`${name} is shellcheck clean`, { skip: needs('shellcheck') }, () => {
      const result = run('shellcheck', [file]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
    });
  }
});
