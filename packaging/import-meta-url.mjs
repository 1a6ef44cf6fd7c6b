// Injected into the single-executable bundle: modules written as ESM read `import.meta.url`,
// which a CommonJS bundle does not have; this gives them the executable's own file URL.
/* global __filename -- defined: the bundle it is injected into is CommonJS */
import { pathToFileURL } from 'node:url';

export const importMetaUrl = pathToFileURL(__filename).href;
