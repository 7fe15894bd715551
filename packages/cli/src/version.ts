import { readFileSync } from 'node:fs';

/** The version of the installed codecrew command (semantic versioning), read from this package's manifest. */
export const CODECREW_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
