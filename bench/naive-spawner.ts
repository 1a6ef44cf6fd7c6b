// The per-request baseline of target 3: the naive server an operator would write in a few
// lines. Each request spawns the program (argv[2..], default `true`) with its output ignored
// and answers 200 when it exits 0, 503 otherwise. Prints its address as the daemon does.
import { spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';

const [file = 'true', ...args] = process.argv.slice(2);

function reply(res: ServerResponse, ok: boolean): void {
  const body = ok ? 'OK' : 'FAIL';
  res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
}

const server = createServer((_req, res) => {
  const child = spawn(file, args, { stdio: 'ignore' });
  child.once('error', () => reply(res, false));
  child.once('exit', (code) => reply(res, code === 0));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`,
  );
});
process.on('SIGTERM', () => process.exit(0));
