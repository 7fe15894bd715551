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
  });
  return join(dir, 'node_modules', '.bin', 'codecrew');
}
