// Spawn helper candidate: a small Node process (run with a small heap) that spawns checks on
// the daemon's behalf with child_process.spawn, speaking the protocol of protocol.ts. With a
// cgroup, it moves itself into the run's cgroup around the spawn (as the daemon does) and
// back to the cgroup.procs given as argv[2].
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { createRequestParser } from './protocol.js';

const cap = 4096;
const home = process.argv[2];
const runs = new Map<string, ChildProcess>();

function reply(text: string, data?: Buffer): void {
  process.stdout.write(data ? Buffer.concat([Buffer.from(text), data]) : text);
}

function optional(text: string | undefined): number | undefined {
  return text ? Number(text) : undefined;
}

function start(fields: readonly string[]): void {
  const [, id = '', cgroupProcs = '', uid, gid, argcText = '0'] = fields;
  const argv = fields.slice(6, 6 + Number(argcText));
  const env = Object.fromEntries(
    fields.slice(7 + argv.length).map((entry) => {
      const at = entry.indexOf('=');
      return [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
  const ids = { uid: optional(uid), gid: optional(gid) };
  if (cgroupProcs) writeFileSync(cgroupProcs, String(process.pid));
  let child: ChildProcess;
  try {
    child = spawn(argv[0] ?? '', argv.slice(1), {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
      ...(ids.uid === undefined ? {} : { uid: ids.uid }),
      ...(ids.gid === undefined ? {} : { gid: ids.gid }),
    });
  } finally {
    if (cgroupProcs && home) writeFileSync(home, String(process.pid));
  }
  follow(id, child);
}

function follow(id: string, child: ChildProcess): void {
  if (child.pid === undefined) {
    child.once('error', (error) => reply(`F ${id} ${error.message.replaceAll('\n', ' ')}\n`));
    return;
  }
  runs.set(id, child);
  reply(`P ${id} ${child.pid}\n`);
  let total = 0;
  const add = (chunk: Buffer): void => {
    const room = cap - total;
    total += chunk.length;
    if (room > 0) reply(`O ${id} ${Math.min(room, chunk.length)}\n`, chunk.subarray(0, room));
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  child.once('exit', (code, signal) => {
    runs.delete(id);
    reply(`X ${id} ${code ?? -1} ${signal ? constants.signals[signal] : 0}\n`);
  });
  child.once('close', () => reply(`D ${id} ${total}\n`));
}

// The server closing its end while a reply is on its way is the server going away.
process.stdout.on('error', () => process.exit(0));
process.stdin.on(
  'data',
  createRequestParser((fields) => {
    if (fields[0] === 'S') return start(fields);
    const child = runs.get(fields[1] ?? '');
    if (child?.pid) process.kill(-child.pid, Number(fields[2]));
  }),
);
process.stdin.once('end', () => {
  for (const child of runs.values()) if (child.pid) process.kill(-child.pid, 'SIGKILL');
  process.exit(0);
});
