import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The root of this package: `packages/cli` in a checkout, `node_modules/@codecrew/cli` when installed. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The root of the codecrew repository checkout this package sits in (meaningful only when running from sources). */
export const INSTALL_ROOT = resolve(PACKAGE_ROOT, '../..');

/**
 * Where the demo's files come from and where its relative layout is rooted. From a checkout (sources):
 * the repository's own `examples/`, rooted at the checkout. From an installed package: the copy of the
 * demo's examples the built package carries (`dist/examples`), rooted in `.codecrew/demo` under
 * the current directory, since an installed package's folder may not be writable.
 */
export interface DemoLayout {
  /** The examples folder the demo's repository, task and script are read from. */
  examples: string;
  /** The folder that holds `examples/tasks`, `examples/scripts` and `.codecrew/demo/textkit` for the run. */
  home: string;
}

/** The demo's layout for this copy of codecrew (see {@link DemoLayout}). */
export function demoLayout(cwd: string = process.cwd()): DemoLayout {
  const packaged = join(PACKAGE_ROOT, 'dist', 'examples');
  const fromSources = import.meta.url.endsWith('.ts');
  if (!fromSources && existsSync(join(packaged, 'tasks', 'demo.yaml'))) {
    return { examples: packaged, home: join(cwd, '.codecrew', 'demo') };
  }
  return { examples: join(INSTALL_ROOT, 'examples'), home: INSTALL_ROOT };
}
