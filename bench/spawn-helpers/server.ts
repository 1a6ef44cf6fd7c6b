// The naive per-request server of target 3 (a copy of bench/naive-spawner.ts), and the same
// server delegating the spawn to a helper: `server.js naive` spawns `true` itself with its
// output ignored; `server.js helper <helper argv...>` asks the helper, which relays the
// output (capped at 4 KiB) as the daemon needs it. BALLAST_MIB=<n> first grows the server to
// about n MiB resident, the daemon's size. Prints `listening on <url> helper <pid>`.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { startHelper, type HelperClient } from './helper-client.js';

const [mode = 'naive', ...helperArgv] = process.argv.slice(2);
/** `true` resolved on PATH once, as the daemon resolves a check's program. */
const program =
  (process.env.PATH ?? '/usr/bin:/bin')
    .split(':')
    .map((dir) => `${dir}/true`)
    .find((path) => {
      try {
        accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }) ?? '/bin/true';
const env = Object.entries(process.env).map(([key, value]) => `${key}=${value ?? ''}`);

/** Touched memory kept alive, so that a fork has as many pages to copy as the daemon. */
const ballast: Buffer[] = [];
const target = Number(process.env.BALLAST_MIB ?? 0) * 1024 * 1024;
while (process.memoryUsage.rss() < target) ballast.push(Buffer.alloc(1024 * 1024, 1));

function reply(res: ServerResponse, ok: boolean): void {
  const body = ok ? 'OK' : 'FAIL';
  res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
}

function naive(res: ServerResponse): void {
  const child = spawn(program, [], { stdio: 'ignore' });
  child.once('error', () => reply(res, false));
  child.once('exit', (code) => reply(res, code === 0));
}

function delegated(helper: HelperClient, res: ServerResponse): void {
  helper.run({ argv: [program], env }).then(
    (exit) => reply(res, exit.code === 0),
    () => reply(res, false),
  );
}

const helper = mode === 'helper' ? startHelper(helperArgv) : null;
const server = createServer((_req, res) => (helper ? delegated(helper, res) : naive(res)));
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`listening on http://127.0.0.1:${port}/ helper ${helper?.pid ?? 0}\n`);
});
process.on('SIGTERM', () => {
  helper?.close();
  process.exit(0);
});
