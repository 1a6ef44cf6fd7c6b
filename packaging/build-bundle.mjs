// Part of `npm run build`: bundles the compiled CLI (dist/src/bin.js) with esbuild into the
// program npm installs and `npm start` runs, dist/bundle/healthcheckd.mjs, and the chunks it
// imports when a command, a config or a request first needs them (dist/bundle/chunks/). One
// file per chunk instead of some 300 modules to find and link starts the daemon in about 0.7x
// the time and some 7 MiB less (docs/performance.md, "Memory and start-up").
//
// The gRPC packages stay in node_modules, imported from there when [grpc] is configured:
// grpc-health-check reads its .proto from beside its own file. dist/bundle.meta.json (not
// shipped) names the modules in each chunk, for the test that watches what loads.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

rmSync(out, { recursive: true, force: true });
const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: { healthcheckd: join(root, 'dist', 'src', 'bin.js') },
  bundle: true,
  splitting: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outdir: out,
  // Chunks sit two levels under dist/ as the compiled modules do, so a path a module finds
  // from its own URL (dist/native/healthcheckd-spawn-helper) is the same in both builds.
  chunkNames: 'chunks/[name]-[hash]',
  // .mjs: Node knows each file is an ES module without looking for a package.json in every
  // directory above it. Those lookups, some 40 URL conversions a chunk, made V8 optimize the
  // conversion during start-up, which touches 4 MiB of its optimizing compiler's code.
  outExtension: { '.js': '.mjs' },
  external: ['@grpc/grpc-js', 'grpc-health-check'],
  // CommonJS packages in an ES module bundle still call require() for Node's modules.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  define: { HEALTHCHECKD_BUNDLED_VERSION: JSON.stringify(version) },
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
});
writeFileSync(join(root, 'dist', 'bundle.meta.json'), JSON.stringify(metafile));
