// `npm run package:deb`: the Debian package around the single executable and the spawn helper
// beside it (build both first with `npm run build:sea`), built with dpkg-deb into
// build/deb/healthcheckd_<version>_<arch>.deb. Depends is computed by dpkg-shlibdeps (dpkg-dev)
// from the two programs, as ${shlibs:Depends} is in a Debian build.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const debArch = { x64: 'amd64', arm64: 'arm64' }[process.arch];
if (!debArch) throw new Error(`no Debian architecture for ${process.arch}`);
const executable = join(root, 'build', 'sea', `healthcheckd-linux-${process.arch}`);
const helper = join(root, 'build', 'sea', 'healthcheckd-spawn-helper');
for (const built of [executable, helper])
  if (!existsSync(built)) throw new Error(`${built} missing: run npm run build:sea first`);

const out = join(root, 'build', 'deb');
const tree = join(out, `healthcheckd_${pkg.version}_${debArch}`);
rmSync(out, { recursive: true, force: true });

const file = (path, content, mode = 0o644) => {
  const target = join(tree, path);
  mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
  writeFileSync(target, content);
  chmodSync(target, mode);
};
const copy = (from, path, mode = 0o644) => file(path, readFileSync(join(root, from)), mode);
// gzip -9n: no name and no time in the header, as Debian policy asks (reproducible).
const gz = (content) => gzipSync(content, { level: 9 });
const doc = '/usr/share/doc/healthcheckd';

copyFileSync(executable, join(mkdirp(join(tree, 'usr/bin')), 'healthcheckd'));
chmodSync(join(tree, 'usr/bin/healthcheckd'), 0o755);
// Where the daemon looks for the helper after beside its own executable (src/checks/spawn-helper.ts).
file('usr/libexec/healthcheckd/spawn-helper', readFileSync(helper), 0o755);
copy('packaging/healthcheckd.config', 'etc/healthcheckd.config');
copy('examples/healthcheckd.service', 'lib/systemd/system/healthcheckd.service');
file('usr/share/man/man1/healthcheckd.1.gz', gz(readFileSync(join(root, 'man/healthcheckd.1'))));
copy('packaging/debian/copyright', `${doc}/copyright`);
copy('packaging/debian/lintian-overrides', 'usr/share/lintian/overrides/healthcheckd');
file(`${doc}/changelog.gz`, gz(readFileSync(join(root, 'CHANGELOG.md'))));
file(`${doc}/changelog.Debian.gz`, gz(debianChangelog()));
file(`${doc}/README.md.gz`, gz(readFileSync(join(root, 'README.md'))));
for (const name of readdirSync(join(root, 'examples'))) {
  const mode = statSync(join(root, 'examples', name)).mode & 0o111 ? 0o755 : 0o644;
  copy(`examples/${name}`, `${doc}/examples/${name}`, mode);
}
file('usr/share/bash-completion/completions/healthcheckd', completion('bash'));
file('usr/share/zsh/vendor-completions/_healthcheckd', completion('zsh'));

for (const script of ['postinst', 'prerm', 'postrm']) {
  copy(`packaging/debian/${script}`, `DEBIAN/${script}`, 0o755);
}
file('DEBIAN/conffiles', '/etc/healthcheckd.config\n');
const depends = sharedLibraryDepends([
  'usr/bin/healthcheckd',
  'usr/libexec/healthcheckd/spawn-helper',
]);
file('DEBIAN/control', control(installedSizeKiB(tree), depends));
file('DEBIAN/md5sums', md5sums(tree));

const deb = join(out, `healthcheckd_${pkg.version}_${debArch}.deb`);
execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', tree, deb], {
  stdio: 'inherit',
});
console.log(`built ${deb}`);

function mkdirp(path) {
  mkdirSync(path, { recursive: true, mode: 0o755 });
  return path;
}

function completion(shell) {
  return execFileSync(executable, ['completion', shell], { encoding: 'utf8' });
}

/**
 * The packages that hold the shared libraries the programs link, with the least versions their
 * symbols need (`libc6 (>= 2.34), libstdc++6 (>= 5.2), ...`), read by dpkg-shlibdeps from this
 * host's dpkg database. `programs` are paths in the tree.
 */
function sharedLibraryDepends(programs) {
  // dpkg-shlibdeps reads the package's architecture from a debian/control of a source package.
  const work = join(out, 'shlibdeps');
  mkdirSync(join(work, 'debian'), { recursive: true });
  writeFileSync(
    join(work, 'debian', 'control'),
    'Source: healthcheckd\n\nPackage: healthcheckd\nArchitecture: any\n',
  );
  let output;
  try {
    output = execFileSync('dpkg-shlibdeps', ['-O', ...programs.map((path) => join(tree, path))], {
      cwd: work,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    if (error.code === 'ENOENT')
      throw new Error('dpkg-shlibdeps not found: install dpkg-dev to build the Debian package');
    throw new Error(`dpkg-shlibdeps ${programs.join(' ')} failed: ${error.stderr}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const depends = /^shlibs:Depends=(.+)$/m.exec(output)?.[1];
  if (!depends) throw new Error(`dpkg-shlibdeps gave no shlibs:Depends line: ${output}`);
  return depends;
}

function control(installedSize, depends) {
  return `${[
    'Package: healthcheckd',
    `Version: ${pkg.version}-1`,
    `Architecture: ${debArch}`,
    'Maintainer: healthcheckd maintainers <maintainers@healthcheckd.invalid>',
    `Installed-Size: ${installedSize}`,
    `Depends: adduser, ${depends}`,
    'Recommends: curl',
    'Section: admin',
    'Priority: optional',
    'Homepage: https://www.npmjs.com/package/healthcheckd',
    'Description: host health as an HTTP status code for load balancers',
    ' healthcheckd reads an INI file, runs the configured checks (a shell command, a',
    ' TCP connect, an HTTP GET) and answers HTTP 200 when the host may take traffic',
    ' and 503 when it may not, with health+json, a status page and Prometheus',
    ' metrics for those who ask. It is a drop-in replacement for the Python',
    ' healthcheckd and also answers HAProxy agent-checks.',
  ].join('\n')}\n`;
}

function debianChangelog() {
  const date = execFileSync('date', ['-R', '-d', '2026-11-29 12:00 UTC'], { encoding: 'utf8' });
  return [
    `healthcheckd (${pkg.version}-1) unstable; urgency=medium`,
    '',
    `  * Package healthcheckd ${pkg.version}; see changelog.gz for what changed.`,
    '',
    ` -- healthcheckd maintainers <maintainers@healthcheckd.invalid>  ${date.trim()}`,
    '',
  ].join('\n');
}

function installedSizeKiB(dir) {
  let bytes = 0;
  const walk = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else bytes += statSync(full).size;
    }
  };
  walk(dir);
  return Math.ceil(bytes / 1024);
}

function md5sums(dir) {
  const files = execFileSync('find', ['.', '-type', 'f', '!', '-path', './DEBIAN/*'], {
    cwd: dir,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean)
    .map((path) => path.slice(2))
    .sort();
  return execFileSync('md5sum', files, { cwd: dir, encoding: 'utf8' });
}
