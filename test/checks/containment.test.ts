import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  chooseContainment,
  containmentFor,
  groupNotice,
  pid1Notice,
  probeContainment,
  procIsOurs,
} from '../../src/checks/containment.js';
import { requireRoot } from '../support/processes.js';

/** The checkout (tests run from dist/test/checks). */
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('chooseContainment', { timeout: 30_000 }, () => {
  const facts = { isPid1: false, cgroupWritable: false, canUnsharePid: false };

  it('uses a cgroup per run wherever cgroup v2 is writable (not PID 1)', () => {
    assert.deepEqual(chooseContainment({ ...facts, cgroupWritable: true, canUnsharePid: true }), {
      mode: 'cgroup',
      notice: null,
    });
  });

  it('falls back to the process group, and says what it does not catch', () => {
    assert.deepEqual(chooseContainment(facts), { mode: 'group', notice: groupNotice });
  });

  it('as PID 1, uses a PID namespace per run so nothing is reparented to it', () => {
    assert.deepEqual(
      chooseContainment({ isPid1: true, cgroupWritable: true, canUnsharePid: true }),
      { mode: 'pidns', notice: null },
    );
  });

  it('as PID 1 without PID namespaces, says in one line what to run it under', () => {
    const choice = chooseContainment({ ...facts, isPid1: true, cgroupWritable: true });
    assert.deepEqual(choice, { mode: 'cgroup', notice: pid1Notice });
    assert.deepEqual(chooseContainment({ ...facts, isPid1: true }), {
      mode: 'group',
      notice: pid1Notice,
    });
    assert.doesNotMatch(pid1Notice, /\n/);
    assert.match(pid1Notice, /tini/);
    assert.match(pid1Notice, /docker run --init/);
    assert.match(pid1Notice, /shareProcessNamespace: true/);
  });
});

describe('probeContainment on this host', { timeout: 30_000 }, () => {
  it('sees its own PIDs in /proc', () => {
    assert.equal(procIsOurs(), true);
  });

  it('is chosen once per process', () => {
    assert.equal(probeContainment(), probeContainment());
  });

  it('as root (as CI runs), contains each run whole', { timeout: 20_000 }, (t) => {
    if (!requireRoot(t, 'a cgroup or PID namespace per run')) return;
    assert.notEqual(probeContainment().mode, 'group');
    assert.ok(containmentFor('cgroup') ?? containmentFor('pidns'));
  });

  it('can always fall back to the process group', () => {
    assert.equal(containmentFor('group')?.mode, 'group');
  });
});

describe('the shipped Kubernetes example', { timeout: 30_000 }, () => {
  it('does not leave healthcheckd as PID 1 without an init', () => {
    const yaml = readFileSync(join(repoRoot, 'examples', 'kubernetes.yaml'), 'utf8');
    const shared = /^\s*shareProcessNamespace: true\s*$/m.test(yaml);
    const init = /command: \['(tini|dumb-init)'/.test(yaml);
    assert.ok(shared || init, 'shareProcessNamespace: true, or an init as the command');
  });
});
