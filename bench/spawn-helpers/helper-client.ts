// The server's side of a spawn helper: starts it, sends runs, and resolves each with its exit
// and its first 4 KiB of output once it has both exited and closed its output.
import { spawn } from 'node:child_process';
import {
  createReplyParser,
  encodeKill,
  encodeStart,
  type Reply,
  type SpawnRequest,
} from './protocol.js';

/** How a run ended, as a check sees it; `pid` is null when it did not start. */
export interface HelperExit {
  readonly pid: number | null;
  readonly code: number | null;
  readonly signal: number;
  readonly output: Buffer;
  readonly totalBytes: number;
  readonly failure?: string;
}

/** A running helper. */
export interface HelperClient {
  readonly pid: number;
  readonly run: (request: SpawnRequest, onStart?: (pid: number) => void) => Promise<HelperExit>;
  readonly kill: (pid: number, signal: number) => void;
  readonly close: () => void;
}

interface Pending {
  pid: number | null;
  exit: { code: number; signal: number } | null;
  closed: boolean;
  total: number;
  readonly output: Buffer[];
  readonly onStart: ((pid: number) => void) | undefined;
  readonly resolve: (exit: HelperExit) => void;
}

/** Starts the helper `argv` (stderr inherited) and returns its client. */
export function startHelper(argv: readonly string[]): HelperClient {
  const [file = '', ...args] = argv;
  const helper = spawn(file, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const pending = new Map<number, Pending>();
  const byPid = new Map<number, number>();
  let nextId = 1;
  helper.stdout.on(
    'data',
    createReplyParser((reply) => onReply(pending, byPid, reply)),
  );
  helper.once('exit', (code, signal) => {
    if (pending.size) process.stderr.write(`spawn helper died: ${code ?? signal}\n`);
  });
  return {
    pid: helper.pid ?? -1,
    run: (request, onStart) =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, {
          pid: null,
          exit: null,
          closed: false,
          total: 0,
          output: [],
          onStart,
          resolve,
        });
        helper.stdin.write(encodeStart(id, request));
      }),
    kill: (pid, signal) => {
      const id = byPid.get(pid);
      if (id !== undefined) helper.stdin.write(encodeKill(id, signal));
    },
    close: () => helper.stdin.end(),
  };
}

function onReply(pending: Map<number, Pending>, byPid: Map<number, number>, reply: Reply): void {
  const run = pending.get(reply.id);
  if (!run) return;
  if (reply.type === 'P') {
    run.pid = Number(reply.args[0]);
    byPid.set(run.pid, reply.id);
    run.onStart?.(run.pid);
  } else if (reply.type === 'O' && reply.data) run.output.push(Buffer.from(reply.data));
  else if (reply.type === 'D') {
    run.closed = true;
    run.total = Number(reply.args[0]);
  } else if (reply.type === 'X')
    run.exit = { code: Number(reply.args[0]), signal: Number(reply.args[1]) };
  else if (reply.type === 'F') {
    pending.delete(reply.id);
    const failure = reply.args.join(' ');
    run.resolve({
      pid: null,
      code: null,
      signal: 0,
      output: Buffer.alloc(0),
      totalBytes: 0,
      failure,
    });
    return;
  }
  if (!run.exit || !run.closed) return;
  pending.delete(reply.id);
  if (run.pid !== null) byPid.delete(run.pid);
  const { code, signal } = run.exit;
  run.resolve({
    pid: run.pid,
    code: code < 0 ? null : code,
    signal,
    output: Buffer.concat(run.output),
    totalBytes: run.total,
  });
}
