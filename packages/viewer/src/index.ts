/**
 * The trace viewer's Node-side entry: where its built files are, for the servers that serve them
 * (`codecrew serve` at `/`, `codecrew view` for one finished task). The browser app itself lives in
 * `src/app` and `src/data` and is built with Vite into {@link VIEWER_DIST_DIR}.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the built viewer (index.html and assets/), made by `npm run build`, `npm run setup` or
 * `npm run build -w @codecrew/viewer`: `dist/app` both in this package's folder and in its installed copy.
 */
export const VIEWER_DIST_DIR = fileURLToPath(new URL('../dist/app', import.meta.url));

/** Whether the viewer has been built, i.e. {@link VIEWER_DIST_DIR} holds an index.html. */
export function isViewerBuilt(): boolean {
  return existsSync(join(VIEWER_DIST_DIR, 'index.html'));
}

/** Content types of the files the built viewer contains, by extension. */
export const VIEWER_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};
