export { formatConfig } from './format.js';
export { loadConfig, parseConfigText } from './load.js';
export type { ConfigFlags, Correction, LoadedConfig, ParseEnv } from './load.js';
