import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { VIEWER_CONTENT_TYPES, VIEWER_DIST_DIR } from '@codecrew/viewer';
import { apiError, errorBody } from '../http/errors.ts';

/**
 * The routes of the viewer's static files. They carry no data, so they answer without a token; the
 * viewer's calls under `/v1` are what the token guards.
 */
export const VIEWER_ROUTES: ReadonlySet<string> = new Set(['/', '/assets/*']);

/** What a server says at `/` when the viewer has not been built. */
export const VIEWER_NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>codecrew</title></head>
<body><p>The trace viewer is not built. Run <code>npm run setup</code> (or <code>npm run build -w @codecrew/viewer</code>) and reload this page. The API is at <a href="/openapi.json">/openapi.json</a>.</p></body></html>
`;

/**
 * The file `relative` names inside `dir`/assets, or null when it names none: a path that leads out
 * of the folder (`..`, an absolute path, a NUL byte), a folder, or nothing.
 */
export function viewerAssetPath(dir: string, relative: string): string | null {
  if (relative === '' || relative.includes('\0')) return null;
  const assets = resolve(dir, 'assets');
  const path = resolve(assets, relative);
  if (!path.startsWith(assets + sep)) return null;
  return existsSync(path) && statSync(path).isFile() ? path : null;
}

function notFound(reply: FastifyReply, url: string): FastifyReply {
  const { status, body } = errorBody(apiError('ROUTE_NOT_FOUND', `no GET ${url.split('?')[0]}; see /openapi.json`));
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * GET / (the viewer's index.html, or a page that says to build it) and GET /assets/* (its scripts,
 * styles and images), from `dir`, by default the viewer package's `dist` folder.
 */
export function viewerRoutes(app: FastifyInstance, dir: string = VIEWER_DIST_DIR): void {
  app.get('/', async (_request, reply) => {
    const index = join(dir, 'index.html');
    if (!existsSync(index)) {
      return reply
        .code(503)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(VIEWER_NOT_BUILT_PAGE);
    }
    return reply
      .type(VIEWER_CONTENT_TYPES['.html'] ?? 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(readFileSync(index));
  });

  app.get('/assets/*', async (request, reply) => {
    const relative = (request.params as { '*': string })['*'];
    const path = viewerAssetPath(dir, relative);
    if (path === null) return notFound(reply, request.url);
    return reply
      .type(VIEWER_CONTENT_TYPES[extname(path)] ?? 'application/octet-stream')
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(readFileSync(path));
  });
}
