// `npm run build:sea`: bundles the program into one CommonJS file (esbuild) and turns a copy of
// this Node binary into `build/sea/healthcheckd-linux-<arch>` that carries it (Node's single
// executable applications: https://nodejs.org/api/single-executable-applications.html).
// The result runs on a host with no Node installed. Beside it goes a stripped copy of the spawn
// helper, `build/sea/healthcheckd-spawn-helper`, where the executable looks for it first.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import protobuf from 'protobufjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'sea');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const executable = join(out, `healthcheckd-linux-${process.arch}`);
const builtHelper = join(root, 'dist', 'native', 'healthcheckd-spawn-helper');
const helper = join(out, 'healthcheckd-spawn-helper');

// The helper is built for this architecture only, so each architecture's build must carry its
// own; an executable without it would quietly start every check with Node's spawn.
if (!existsSync(builtHelper)) {
  throw new Error(
    `${builtHelper} missing: \`npm run build\` found no C compiler; install one (gcc and ` +
      'libc6-dev, or set CC) and run `npm run build:sea` again',
  );
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(root, 'dist', 'src', 'bin.js')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: join(out, 'healthcheckd.cjs'),
  inject: [join(root, 'packaging', 'import-meta-url.mjs')],
  define: {
    'import.meta.url': 'importMetaUrl',
    HEALTHCHECKD_BUNDLED_VERSION: JSON.stringify(version),
  },
  // The shebang of bin.js is for npm installs; the executable needs none.
  banner: { js: '' },
  plugins: [healthProtoInline()],
  logLevel: 'warning',
  legalComments: 'none',
});

/**
 * grpc-health-check reads its .proto from beside its own file when it is first imported; the
 * executable has no such file. The bundle gets the proto as JSON, read by proto-loader's
 * fromJSON with the same options.
 */
function healthProtoInline() {
  return {
    name: 'grpc-health-proto-inline',
    setup(esbuild) {
      esbuild.onLoad({ filter: /grpc-health-check[\\/]build[\\/]src[\\/]health\.js$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const proto = join(dirname(args.path), '..', '..', 'proto', 'health', 'v1', 'health.proto');
        const json = JSON.stringify(
          new protobuf.Root().loadSync(proto, { keepCase: true }).toJSON(),
        );
        const call = "(0, proto_loader_1.loadSync)('health/v1/health.proto', {";
        if (!source.includes(call))
          throw new Error(`${args.path}: the proto load to inline is not there`);
        const contents = source.replace(call, `(0, proto_loader_1.fromJSON)(${json}, {`);
        return { contents, loader: 'js' };
      });
    },
  };
}

const seaConfig = join(out, 'sea-config.json');
writeFileSync(
  seaConfig,
  JSON.stringify({
    main: join(out, 'healthcheckd.cjs'),
    output: join(out, 'healthcheckd.blob'),
    disableExperimentalSEAWarning: true,
    useCodeCache: false,
  }),
);
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });
copyFileSync(process.execPath, executable);
// Node's release binary keeps its symbol table (13 MB); the executable needs none of it.
stripped(executable);
copyFileSync(builtHelper, helper);
// Stripped too: the Debian package takes it from here, and lintian refuses an unstripped binary.
stripped(helper);

function stripped(file) {
  chmodSync(file, 0o755);
  try {
    execFileSync('strip', ['--strip-all', file], { stdio: 'inherit' });
  } catch (error) {
    console.warn(`${file} not stripped (${error.message}); install binutils for a smaller file`);
  }
}
execFileSync(
  process.execPath,
  [
    join(root, 'node_modules', 'postject', 'dist', 'cli.js'),
    executable,
    'NODE_SEA_BLOB',
    join(out, 'healthcheckd.blob'),
    '--sentinel-fuse',
    'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  ],
  { stdio: 'inherit' },
);
console.log(`built ${executable} and ${helper}`);
