// npm run build: the JavaScript, declaration files and run-time files of every package, into each
// package's dist/, so that the packages can be packed and installed (see docs/install.md).
// 1. tsc -b tsconfig.build.json: every package's src/*.ts into dist/*.js + .d.ts, in dependency order;
// 2. the trace viewer's browser app with Vite, into packages/viewer/dist/app (with --keep-viewer, only
//    when it is not built yet: tests build while other tests serve the viewer's files);
// 3. the files the code reads at run time next to itself: every non-TypeScript file under a package's src/
//    (agents' prompts, the sandbox runner), config/default.yaml into the orchestrator, and the demo's
//    repository, task and script into the CLI (dist/examples), and the root LICENSE into each package.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const run = (command, args) => execFileSync(command, args, { cwd: ROOT, stdio: 'inherit' });
const copy = (from, to) => {
  mkdirSync(dirname(join(ROOT, to)), { recursive: true });
  cpSync(join(ROOT, from), join(ROOT, to), { recursive: true });
};

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const workspaces = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).workspaces;
// tsc -b trusts a package's build info: when its dist/index.js is gone (deleted by hand), the info is stale
// and tsc would skip the package and fail on its dependents. Such a package builds from scratch.
for (const workspace of workspaces) {
  const info = join(ROOT, workspace, 'tsconfig.build.tsbuildinfo');
  if (!existsSync(join(ROOT, workspace, 'dist/index.js')) && existsSync(info)) rmSync(info);
}
run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json']);
const viewerBuilt = existsSync(join(ROOT, 'packages/viewer/dist/app/index.html'));
if (!(process.argv.includes('--keep-viewer') && viewerBuilt))
  run('npm', ['run', 'build', '--silent', '-w', '@codecrew/viewer']);

for (const workspace of workspaces.filter((w) => w !== 'packages/viewer')) {
  for (const file of filesUnder(join(ROOT, workspace, 'src'))) {
    if (/\.tsx?$/.test(file)) continue;
    const inside = relative(join(ROOT, workspace, 'src'), file);
    copy(relative(ROOT, file), join(workspace, 'dist', inside));
  }
}
copy('config/default.yaml', 'orchestrator/dist/default.yaml');
// The licence text travels in every tarball: npm packs a LICENSE found at a package's root.
for (const dir of [...workspaces, 'packages/codecrew']) copy('LICENSE', join(dir, 'LICENSE'));
for (const path of ['repos/textkit', 'tasks/demo.yaml', 'scripts/demo.script.yaml']) {
  copy(join('examples', path), join('packages/cli/dist/examples', path));
}
console.log('build: every package built into its dist/');
