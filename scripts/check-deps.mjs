// Checks the workspace's import graph, as CONVENTIONS.md asks, in lint:
// - every package imported by a workspace package's sources is declared in its package.json,
//   and every declared dependency is imported (no undeclared, no unused);
// - @codecrew packages depend on each other only downward:
//   core ← bus, llm, sandbox, store, viewer ← agents ← orchestrator ← server, eval ← cli;
// - the workspace packages import each other without cycles (checked by the layering above).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const LAYERS = {
  '@codecrew/core': 0,
  '@codecrew/bus': 1,
  '@codecrew/llm': 1,
  '@codecrew/sandbox': 1,
  '@codecrew/store': 1,
  '@codecrew/viewer': 1,
  '@codecrew/agents': 2,
  '@codecrew/orchestrator': 3,
  '@codecrew/eval': 4,
  '@codecrew/server': 4,
  '@codecrew/cli': 5,
};
// Declared for what they bring at run time, not for an import: @langchain/core is the peer dependency
// of LangGraph's packages.
const USED_WITHOUT_IMPORT = { '@codecrew/orchestrator': ['@langchain/core'] };

const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts|mjs|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The package named by an import specifier, or null for a relative or built-in one. */
function packageOf(specifier) {
  if (
    specifier.startsWith('.') ||
    specifier.startsWith('/') ||
    builtins.has(specifier) ||
    specifier.startsWith('node:')
  )
    return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

const problems = [];
for (const workspace of rootPackage.workspaces) {
  const manifest = JSON.parse(readFileSync(join(ROOT, workspace, 'package.json'), 'utf8'));
  const declared = new Set(Object.keys(manifest.dependencies ?? {}));
  const used = new Map();
  for (const file of sourceFiles(join(ROOT, workspace, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const name = packageOf(match[1] ?? match[2]);
      if (name !== null && name !== manifest.name && !used.has(name)) used.set(name, relative(ROOT, file));
    }
  }
  for (const [name, file] of used) {
    if (!declared.has(name))
      problems.push(`${workspace}: ${file} imports ${name}, which ${workspace}/package.json does not declare`);
    const [from, to] = [LAYERS[manifest.name], LAYERS[name]];
    if (from !== undefined && to !== undefined && to >= from) {
      problems.push(
        `${workspace}: ${file} imports ${name}; the dependency direction is core ← bus, llm, sandbox, store ← agents ← orchestrator ← cli`,
      );
    }
  }
  for (const name of declared) {
    if (!used.has(name) && !(USED_WITHOUT_IMPORT[manifest.name] ?? []).includes(name)) {
      problems.push(`${workspace}: package.json declares ${name}, which no file under ${workspace}/src imports`);
    }
  }
}
if (problems.length > 0) {
  console.error(`check-deps: the import graph breaks the conventions:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(
  `check-deps: ${rootPackage.workspaces.length} workspace packages import only what they declare, in the allowed direction`,
);
