import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../support/paths.js';

// semver ships no types of its own; this test needs one function of it.
const semver = createRequire(import.meta.url)('semver') as {
  satisfies: (version: string, range: string) => boolean;
};

interface LockPackage {
  readonly version?: string;
  readonly engines?: { readonly node?: string } | readonly string[];
}

const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
  readonly packages: Readonly<Record<string, LockPackage>>;
};
const engines = (pkg: LockPackage | undefined): string | undefined =>
  pkg?.engines === undefined || Array.isArray(pkg.engines)
    ? undefined
    : (pkg.engines as { node?: string }).node;

/** The first release of each supported line, a late one, and the Node running this test. */
const supported = ['20.19.0', '20.20.0', '22.13.0', '22.20.0', '24.0.0', '24.11.0'];

describe(
  'engines: every dependency supports every Node the project supports',
  { timeout: 30_000 },
  () => {
    const root = engines(lock.packages['']);

    it('package.json and the lock name the same range, which admits the supported lines', () => {
      const manifest = JSON.parse(
        readFileSync(join(repoRoot, 'package.json'), 'utf8'),
      ) as LockPackage;
      assert.equal(engines(manifest), root);
      assert.ok(root !== undefined);
      for (const version of supported)
        assert.ok(semver.satisfies(version, root), `${root} excludes ${version}`);
      assert.ok(!semver.satisfies('20.18.0', root), 'Node 20.18 is not tested');
    });

    it('no package in the lock refuses a supported Node (npm install: no EBADENGINE)', () => {
      const running = process.versions.node;
      const versions =
        root !== undefined && semver.satisfies(running, root) ? [...supported, running] : supported;
      const refusals = Object.entries(lock.packages).flatMap(([path, pkg]) => {
        const range = engines(pkg);
        if (path === '' || range === undefined) return [];
        const out = versions.filter((version) => !semver.satisfies(version, range));
        return out.length === 0
          ? []
          : [`${path}@${pkg.version ?? '?'} (${range}) refuses ${out.join(', ')}`];
      });
      assert.deepEqual(refusals, []);
    });
  },
);
