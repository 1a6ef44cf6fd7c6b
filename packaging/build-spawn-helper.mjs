// Part of `npm run build`: compiles native/spawn-helper.c into
// dist/native/healthcheckd-spawn-helper with the host's C compiler ($CC, else cc). Without
// one it says so and stops there: the daemon then starts checks with Node's spawn, slower
// but with the same guarantees (README, "Spawn helper").
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'spawn-helper.c');
const out = join(root, 'dist', 'native', 'healthcheckd-spawn-helper');
const cc = process.env.CC || 'cc';

rmSync(out, { force: true });
try {
  execFileSync('sh', ['-c', 'command -v "$1"', 'sh', cc], { stdio: 'ignore' });
} catch {
  process.stderr.write(
    `spawn helper not built: no C compiler (${cc}); checks will start with Node's spawn\n`,
  );
  process.exit(0);
}
mkdirSync(dirname(out), { recursive: true });
// Debian's hardening flags (lintian checks them in the .deb).
const hardening = ['-D_FORTIFY_SOURCE=2', '-fstack-protector-strong', '-Wl,-z,relro,-z,now'];
execFileSync(cc, ['-O2', '-Wall', '-Wextra', ...hardening, '-o', out, source], {
  stdio: 'inherit',
});
