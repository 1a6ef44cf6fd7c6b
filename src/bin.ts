#!/usr/bin/env -S node --max-semi-space-size=2 --v8-pool-size=1
import { holdSignals } from './cli/early-signals.js';

// Signals are held before the rest of the program loads (a fraction of a second): until then
// a SIGHUP (`systemctl reload` right after a start) would end the process by default.
const early = holdSignals();
// A promise chain, not a top-level await: the single-executable bundle is CommonJS.
void import('./cli/main.js').then(({ cli }) => cli(undefined, early));
