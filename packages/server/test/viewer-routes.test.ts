import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEWER_NOT_BUILT_PAGE, viewerAssetPath, viewerRoutes } from '../src/routes/viewer.ts';

/** A GET with the path sent as written (no dot-segment clean-up, unlike fetch). */
function rawGet(base: string, path: string): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const sent = request({ host: hostname, port, path, method: 'GET' }, (answer) => {
      let body = '';
      answer.setEncoding('utf8');
      answer.on('data', (chunk: string) => (body += chunk));
      answer.on('end', () =>
        resolve({ status: answer.statusCode ?? 0, type: String(answer.headers['content-type']), body }),
      );
    });
    sent.on('error', reject);
    sent.end();
  });
}

async function serveFrom(dir: string): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: false });
  viewerRoutes(app, dir);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

describe('the viewer routes of codecrew serve', () => {
  let root: string;
  let dist: string;
  let built: { app: FastifyInstance; url: string };
  let unbuilt: { app: FastifyInstance; url: string };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'codecrew-viewer-routes-'));
    dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets', 'fonts'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>viewer</title>');
    writeFileSync(join(dist, 'assets', 'index-abc.js'), 'console.log(1);');
    writeFileSync(join(dist, 'assets', 'index-abc.css'), 'body{}');
    writeFileSync(join(dist, 'assets', 'fonts', 'a.woff2'), 'font');
    writeFileSync(join(dist, 'secret.json'), '{"hidden":"s3cr3t-content"}');
    writeFileSync(join(root, 'package.json'), '{"name":"outside-content"}');
    mkdirSync(join(root, 'empty'));
    built = await serveFrom(dist);
    unbuilt = await serveFrom(join(root, 'empty'));
  });

  afterAll(async () => {
    await built?.app.close();
    await unbuilt?.app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers / with index.html and each asset with its content type', async () => {
    const index = await rawGet(built.url, '/');
    expect(index).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(index.body).toBe('<!doctype html><title>viewer</title>');
    expect(await rawGet(built.url, '/assets/index-abc.js')).toMatchObject({
      status: 200,
      type: 'text/javascript; charset=utf-8',
      body: 'console.log(1);',
    });
    expect(await rawGet(built.url, '/assets/index-abc.css')).toMatchObject({
      status: 200,
      type: 'text/css; charset=utf-8',
    });
    expect(await rawGet(built.url, '/assets/fonts/a.woff2')).toMatchObject({ status: 200, type: 'font/woff2' });
  });

  it('refuses every path that leads out of the assets folder, and files that are not there, as ROUTE_NOT_FOUND', async () => {
    const refused = [
      '/assets/../package.json',
      '/assets/../secret.json',
      '/assets/../../package.json',
      '/assets/%2e%2e/secret.json',
      '/assets/..%2fsecret.json',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/fonts/../../secret.json',
      `/assets/${encodeURIComponent(join(root, 'package.json'))}`,
      '/assets/index-abc.js%00.css',
      '/assets/fonts',
      '/assets/',
      '/assets/missing.js',
    ];
    for (const path of refused) {
      const answer = await rawGet(built.url, path);
      expect(answer.status, path).toBe(404);
      expect(answer.type, path).toBe('application/json; charset=utf-8');
      expect(JSON.parse(answer.body), path).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
      expect(answer.body, path).not.toContain('s3cr3t-content');
      expect(answer.body, path).not.toContain('outside-content');
    }
  });

  it('resolves asset paths inside the assets folder only', () => {
    expect(viewerAssetPath(dist, 'index-abc.js')).toBe(join(dist, 'assets', 'index-abc.js'));
    expect(viewerAssetPath(dist, 'fonts/../index-abc.js')).toBe(join(dist, 'assets', 'index-abc.js'));
    expect(viewerAssetPath(dist, '../secret.json')).toBeNull();
    expect(viewerAssetPath(dist, join(root, 'package.json'))).toBeNull();
    expect(viewerAssetPath(dist, 'fonts')).toBeNull();
    expect(viewerAssetPath(dist, '')).toBeNull();
  });

  it('says to run npm run setup at / when the viewer is not built', async () => {
    const answer = await rawGet(unbuilt.url, '/');
    expect(answer).toMatchObject({ status: 503, type: 'text/html; charset=utf-8', body: VIEWER_NOT_BUILT_PAGE });
    expect(answer.body).toContain('npm run setup');
  });
});
