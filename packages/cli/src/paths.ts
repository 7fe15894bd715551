import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The root of the codecrew installation (where examples/ and config/ live). */
export const INSTALL_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
