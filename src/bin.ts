#!/usr/bin/env -S node --max-semi-space-size=2 --v8-pool-size=1
import { holdSignals } from './cli/early-signals.js';

// Signals are held before the rest of the program loads (a fraction of a second): until then
// a SIGHUP (`systemctl reload` right after a start) would end the process by default.
const early = holdSignals();
// V8 made the heap with the shebang's --max-semi-space-size (peak RSS under load), and reads
// the flag no more. But Node's code cache for its own modules is checked against a hash of
// the V8 flags: with the flag set, every Node module the program loads is compiled from
// source (some 20 ms of start-up). Back at its default, the cache is used again
// (docs/performance.md, "Memory and start-up").
// (Through getBuiltinModule: an ES module import of node:v8 would load more of Node first.)
process.getBuiltinModule('node:v8').setFlagsFromString('--max-semi-space-size=0');
// A promise chain, not a top-level await: the single-executable bundle is CommonJS.
void import('./cli/main.js').then(({ cli }) => cli(undefined, early));
