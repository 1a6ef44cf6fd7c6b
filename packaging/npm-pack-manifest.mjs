// `npm pack` / `npm publish` lifecycle: `prepack` builds and drops the `prepare` script from the
// packed package.json (it builds from the TypeScript sources, which a packed tarball does not
// carry, and npm 11 warns about it on every `npm install -g`); `postpack` puts it back.
// Usage: node packaging/npm-pack-manifest.mjs strip | restore
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = join(root, 'package.json');
const saved = join(root, 'package.json.prepack');

if (process.argv[2] === 'strip') {
  const text = readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  delete pkg.scripts.prepare;
  writeFileSync(saved, text);
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (process.argv[2] === 'restore') {
  if (existsSync(saved)) renameSync(saved, manifest);
} else {
  throw new Error('usage: npm-pack-manifest.mjs strip | restore');
}
