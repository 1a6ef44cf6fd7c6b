// Start-up (exec to the first answered probe) and idle RSS of the single executable against
// the npm build (`node dist/bundle/healthcheckd.mjs`), measured in turns in one run; sizes of the files.
// Usage: npm run build:sea (and package:deb) first, then node packaging/measure-executable.mjs [rounds]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sea = join(root, 'build', 'sea', `healthcheckd-linux-${process.arch}`);
const rounds = Number(process.argv[2] ?? 7);
// The npm build as it ships: with its bin's shebang flags (src/bin.ts).
const npmBin = join(root, 'dist', 'bundle', 'healthcheckd.mjs');
const shebangFlags = (readFileSync(npmBin, 'utf8').split('\n')[0] ?? '')
  .split(' ')
  .filter((word) => word.startsWith('--'));
const variants = {
  npm: [process.execPath, ...shebangFlags, npmBin],
  executable: [sea],
};

function probe(port) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function once(argv, port) {
  const started = performance.now();
  const child = spawn(
    argv[0],
    [
      ...argv.slice(1),
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--pidfile',
      `/tmp/hcd-measure-${port}.pid`,
      '--command',
      'true',
    ],
    { stdio: 'ignore' },
  );
  let status = 0;
  while (status !== 200 && performance.now() - started < 20_000) status = await probe(port);
  const startupMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return { startupMs, rssMiB: Number(rss) / 1024 };
}

const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = { npm: [], executable: [] };
for (let round = 0; round < rounds; round += 1) {
  for (const [name, argv] of Object.entries(variants)) {
    results[name].push(await once(argv, 19_000 + round * 2 + (name === 'npm' ? 0 : 1)));
  }
}
for (const [name, list] of Object.entries(results)) {
  const startup = median(list.map((r) => r.startupMs));
  const rss = median(list.map((r) => r.rssMiB));
  console.log(
    `${name.padEnd(10)} start-up ${startup.toFixed(0)} ms, idle RSS ${rss.toFixed(1)} MiB`,
  );
}
const ratio = (key) =>
  median(results.executable.map((r) => r[key])) / median(results.npm.map((r) => r[key]));
console.log(
  `executable / npm: start-up ${ratio('startupMs').toFixed(2)}x, RSS ${ratio('rssMiB').toFixed(2)}x`,
);
const mib = (path) => (statSync(path).size / 1048576).toFixed(1);
console.log(`executable ${mib(sea)} MiB`);
const debDir = join(root, 'build', 'deb');
if (existsSync(debDir))
  for (const file of readdirSync(debDir).filter((name) => name.endsWith('.deb')))
    console.log(`${file} ${mib(join(debDir, file))} MiB`);
