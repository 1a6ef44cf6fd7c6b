// Kept for tests written before the helpers moved to modules named by what they hold: the
// agent-port client is ./agent-client.js, loggers ./logger.js, run and check ./checks.js.
/** @deprecated import from ./agent-client.js */
export { open, readAll, agentRead as fetchLine } from './agent-client.js';
/** @deprecated import from ./logger.js */
export { memoryLogger, silentLogger } from './logger.js';
/** @deprecated import from ./checks.js */
export { check, run } from './checks.js';
