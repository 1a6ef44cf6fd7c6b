// Node's own sequential spawn rate of a program, with the same stdio the daemon uses.
// argv[2]: seconds; argv[3..]: the program and its arguments. Prints spawns per second.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const seconds = Number(process.argv[2] ?? '3');
const [file, ...args] = process.argv.slice(3);

function once(): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(file ?? 'true', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout.resume();
    child.stderr.resume();
    child.once('close', () => resolve());
  });
}

const end = performance.now() + seconds * 1000;
let count = 0;
const started = performance.now();
while (performance.now() < end) {
  await once();
  count += 1;
}
process.stdout.write(
  `${JSON.stringify({ rate: count / ((performance.now() - started) / 1000) })}\n`,
);
