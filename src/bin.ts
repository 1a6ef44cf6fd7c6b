#!/usr/bin/env -S node --max-semi-space-size=2
import { cli } from './cli/main.js';

cli();
