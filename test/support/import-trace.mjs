// Loaded with `node --import <this file>`: records the URL of every module the process resolves, one a
// line, into the file named by CODECREW_IMPORT_TRACE, so that a test can tell what a command loaded.
import { register } from 'node:module';

register('./import-trace-hooks.mjs', import.meta.url);
