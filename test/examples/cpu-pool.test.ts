import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { binPath, examples, tempDir } from '../support/paths.js';

const script = join(examples, 'cpu-pool.sh');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cpuPool(args: readonly string[], env: NodeJS.ProcessEnv = {}): Run {
  const result = spawnSync(script, args, {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, PROC_STAT_FILES: '', SAMPLE_SECONDS: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const { path: dir, cleanup } = tempDir('hcd-cpu-pool-');
let samples = 0;

/**
 * Two /proc/stat samples, 1,000 ticks apart, `busy` per mille of them busy. The busy
 * time is spread over user, system, irq, softirq and steal; iowait counts as idle.
 */
function stat(busyPerMille: number): string {
  const name = (n: number): string => join(dir, `stat-${samples}-${n}`);
  samples++;
  const line = (user: number, system: number, idle: number, iowait: number, steal: number) =>
    `cpu  ${user} 7 ${system} ${idle} ${iowait} 3 5 ${steal} 40 0\n` +
    'cpu0 1 0 1 1 0 0 0 0 0 0\nintr 12345 0 0\nctxt 987654\nbtime 1700000000\n';
  // 1,000 ticks between the samples: busy of them in user/system/steal, the rest idle/iowait.
  const steal = Math.min(10, busyPerMille);
  const system = Math.floor((busyPerMille - steal) / 4);
  const user = busyPerMille - steal - system;
  const idle = 1000 - busyPerMille;
  const iowait = Math.floor(idle / 10);
  writeFileSync(name(1), line(123456, 45678, 987654, 4321, 100));
  writeFileSync(
    name(2),
    line(123456 + user, 45678 + system, 987654 + idle - iowait, 4321 + iowait, 100 + steal),
  );
  return `${name(1)} ${name(2)}`;
}

describe('examples/cpu-pool.sh on /proc/stat samples', { timeout: 60_000 }, () => {
  after(cleanup);

  it('fails (2) a worker 95% busy (default max 90%)', () => {
    const result = cpuPool([], { PROC_STAT_FILES: stat(950) });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.equal(result.stdout, 'cpu busy 95% > max 90%\n');
  });

  it('passes a worker 50% busy', () => {
    const result = cpuPool(['90'], { PROC_STAT_FILES: stat(500) });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stdout, 'cpu busy 50% (max 90%)\n');
  });

  it('passes at exactly the maximum', () => {
    assert.equal(cpuPool(['90'], { PROC_STAT_FILES: stat(900) }).code, 0);
  });

  it('warns (1) over WARN and under MAX', () => {
    const result = cpuPool(['90', '70'], { PROC_STAT_FILES: stat(800) });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.equal(result.stdout, 'cpu busy 80% > warn 70% (max 90%)\n');
    assert.equal(cpuPool(['90', '70'], { PROC_STAT_FILES: stat(650) }).code, 0);
    assert.equal(cpuPool(['90', '70'], { PROC_STAT_FILES: stat(920) }).code, 2);
  });

  it('counts iowait as idle and steal as busy', () => {
    // stat(500): half idle, a tenth of which is iowait; 10 of the busy ticks are steal.
    assert.equal(
      cpuPool(['100'], { PROC_STAT_FILES: stat(500) }).stdout,
      'cpu busy 50% (max 100%)\n',
    );
    // Only steal changes: the CPU was all taken by the hypervisor.
    const first = join(dir, 'steal-1');
    const second = join(dir, 'steal-2');
    writeFileSync(first, 'cpu  100 0 100 1000 0 0 0 0 0 0\n');
    writeFileSync(second, 'cpu  100 0 100 1000 0 0 0 400 0 0\n');
    assert.equal(
      cpuPool(['50'], { PROC_STAT_FILES: `${first} ${second}` }).stdout,
      'cpu busy 100% > max 50%\n',
    );
  });

  it('--weight prints the idle share as an agent weight, never below 1%', () => {
    const half = cpuPool(['--weight'], { PROC_STAT_FILES: stat(270) });
    assert.equal(half.code, 0, half.stderr);
    assert.equal(half.stdout, '73%\n');
    const saturated = cpuPool(['--weight'], { PROC_STAT_FILES: stat(1000) });
    assert.equal(saturated.code, 0, saturated.stderr);
    assert.equal(saturated.stdout, '1%\n');
  });

  it('fails (2) with a reason when the samples cannot be used', () => {
    const same = stat(500).split(' ')[0] ?? '';
    for (const [files, reason] of [
      [`${same} ${same}`, /no CPU time passed/],
      [same, /PROC_STAT_FILES must name two files/],
      [`${same} ${join(dir, 'missing')}`, /cannot read the cpu line of .*missing/],
    ] as const) {
      const result = cpuPool(['90'], { PROC_STAT_FILES: files });
      assert.equal(result.code, 2, files);
      assert.match(result.stdout, reason);
    }
    const garbage = join(dir, 'garbage');
    writeFileSync(garbage, 'intr 1 2 3\n');
    assert.equal(cpuPool(['90'], { PROC_STAT_FILES: `${garbage} ${garbage}` }).code, 2);
    assert.equal(cpuPool(['--weight'], { PROC_STAT_FILES: `${same} ${same}` }).code, 2);
  });

  it('refuses bad arguments with a usage line and exit 3 (not a warn)', () => {
    for (const args of [['101'], ['x'], ['50', '60'], ['90', '70', '1'], ['--weight', '5']]) {
      const result = cpuPool(args, { PROC_STAT_FILES: stat(100) });
      assert.equal(result.code, 3, JSON.stringify(args));
      assert.match(result.stderr, /^usage: cpu-pool\.sh/);
    }
    const badSample = cpuPool(['90'], { SAMPLE_SECONDS: '1;reboot' });
    assert.equal(badSample.code, 2);
    assert.match(badSample.stdout, /SAMPLE_SECONDS must be a number/);
  });

  it('gives healthcheckd a warn through warn_exit_codes = 1', () => {
    const config = join(dir, 'cpu.config');
    writeFileSync(config, `[check:cpu]\ncommand = "'${script}' 90 70"\nwarn_exit_codes = 1\n`);
    const result = spawnSync(process.execPath, [binPath, 'check', config], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, PROC_STAT_FILES: stat(800) },
    });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^cpu +WARN .*cpu busy 80% > warn 70% \(max 90%\)$/m);
  });
});

describe('examples/cpu-pool.sh on the real /proc/stat', { timeout: 60_000 }, () => {
  // How busy the machine is belongs to whoever else runs on it: only the form and the range of
  // the answer are asserted here. The script under real load: test/e2e/cpu.test.ts.
  it('measures a busy share from 0 to 100 % and passes at max 100', () => {
    const result = cpuPool(['100'], { SAMPLE_SECONDS: '0.2' });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const busy = Number(/^cpu busy (\d+)% \(max 100%\)\n$/.exec(result.stdout)?.[1] ?? NaN);
    assert.ok(busy >= 0 && busy <= 100, `unexpected output: ${result.stdout}${result.stderr}`);
  });

  it('--weight prints a weight from 1 to 100 %', () => {
    const result = cpuPool(['--weight'], { SAMPLE_SECONDS: '0.2' });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const weight = Number(/^(\d+)%\n$/.exec(result.stdout)?.[1] ?? NaN);
    assert.ok(weight >= 1 && weight <= 100, `unexpected output: ${result.stdout}${result.stderr}`);
  });
});
