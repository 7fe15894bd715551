import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.ts';

/**
 * Builds every package into its dist/ (`npm run build`), keeping a viewer that is already built: other
 * tests may be serving its files meanwhile.
 */
export function buildPackages(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--keep-viewer'], { cwd: ROOT, stdio: 'pipe' });
}

/** Packs every workspace package and the `codecrew` package into `outDir`; returns the tarballs' paths. */
export function packPackages(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const workspaces = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] })
    .workspaces;
  const npm = (...args: string[]) => execFileSync('npm', args, { cwd: ROOT, stdio: 'pipe' });
  npm('pack', '--silent', '--pack-destination', outDir, ...workspaces.flatMap((w) => ['-w', w]));
  npm('pack', '--silent', '--pack-destination', outDir, './packages/codecrew');
  return readdirSync(outDir)
    .filter((name) => name.endsWith('.tgz'))
    .map((name) => join(outDir, name));
}

/**
 * A user's install downloads better-sqlite3's prebuilt binding from its GitHub release; this machine
 * reaches only the npm registry, and compiling the binding takes minutes. The binding the checkout
 * already built for this Node is packed under the release's file name into `parent/prebuilds`, where
 * the package's install script (prebuild-install) looks before downloading; returns that directory.
 */
function betterSqlitePrebuilds(parent: string): string {
  const binding = join(ROOT, 'node_modules/better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(binding, 'package.json'), 'utf8')) as { version: string };
  const dir = join(parent, 'prebuilds');
  mkdirSync(dir, { recursive: true });
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  execFileSync('tar', ['-czf', join(dir, name), '-C', binding, 'build/Release/better_sqlite3.node']);
  return dir;
}

/**
 * Installs tarballs into `dir` as a user would install codecrew (third-party packages from the npm
 * registry or its cache); returns the path of the installed `codecrew` bin.
 */
export function installPackages(tarballs: string[], dir: string): string {
  mkdirSync(dir, { recursive: true });
  // better-sqlite3 builds or fetches its native binding in an install script, which npm 11 runs only when allowed.
  const manifest = { name: 'codecrew-install-check', private: true, allowScripts: { 'better-sqlite3': true } };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  execFileSync('npm', ['install', ...tarballs, '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: dir,
    stdio: 'pipe',
    env: { ...process.env, npm_config_better_sqlite3_local_prebuilds: betterSqlitePrebuilds(join(dir, '..')) },
  });
  return join(dir, 'node_modules', '.bin', 'codecrew');
}
