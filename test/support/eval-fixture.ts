import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A bug in the fixture repository: the file, its fixed text, and the test that shows the fix. */
interface FixtureBug {
  id: string;
  problem: string;
  file: string;
  fixed: string;
  failToPass: string[];
}

const BASE_FILES: Record<string, string> = {
  'src/add.mjs': 'export const add = (a, b) => a - b;\n',
  'src/neg.mjs': 'export const neg = (x) => x;\n',
  'src/mul.mjs': 'export const mul = (a, b) => a * b;\n',
  'README.md': 'Small arithmetic helpers.\n',
};

/** The hidden tests: `node test/check.mjs NAME` exits 0 when the named check holds. */
const CHECK = `import { add } from '../src/add.mjs';
import { neg } from '../src/neg.mjs';
import { mul } from '../src/mul.mjs';
const checks = { add: () => add(2, 3) === 5, neg: () => neg(2) === -2, mul: () => mul(2, 3) === 6 };
const check = checks[process.argv[2]];
if (check === undefined) { console.error('no check ' + process.argv[2]); process.exit(2); }
const ok = check();
console.log(process.argv[2] + (ok ? ' passes' : ' fails'));
process.exit(ok ? 0 : 1);
`;

/** The fixture's two instances: a fixed `add` and a fixed `neg`. */
export const FIXTURE_BUGS: FixtureBug[] = [
  {
    id: 'calc-add',
    problem: 'add(a, b) subtracts instead of adding. Make it return the sum.',
    file: 'src/add.mjs',
    fixed: 'export const add = (a, b) => a + b;\n',
    failToPass: ['add'],
  },
  {
    id: 'calc-neg',
    problem: 'neg(x) returns x unchanged. Make it return the negation of x.',
    file: 'src/neg.mjs',
    fixed: 'export const neg = (x) => -x;\n',
    failToPass: ['neg'],
  },
];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], {
    cwd,
    encoding: 'utf8',
  });
}

/** The diff that writes `files` on top of the repository's HEAD, leaving HEAD and the tree as they were. */
async function diffOf(repo: string, files: Record<string, string>): Promise<string> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(repo, path, '..'), { recursive: true });
    await writeFile(join(repo, path), text);
  }
  git(repo, 'add', '-A');
  const diff = git(repo, 'diff', '--cached');
  git(repo, 'reset', '-q', '--hard', 'HEAD');
  git(repo, 'clean', '-qfd');
  return diff;
}

/** One instance line's fields, before `extra` overrides. */
export type FixtureInstance = Record<string, unknown>;

/**
 * Writes a small git repository (`repo/`) with two bugs and `instances.jsonl` describing them in
 * `dir`; `extra` adds fields to the instance of that id, `lines` adds raw lines at the end.
 */
export async function writeEvalFixture(
  dir: string,
  opts: { extra?: Record<string, FixtureInstance>; lines?: string[] } = {},
): Promise<{ file: string; instances: FixtureInstance[] }> {
  const repo = join(dir, 'repo');
  await mkdir(join(repo, 'src'), { recursive: true });
  for (const [path, text] of Object.entries(BASE_FILES)) await writeFile(join(repo, path), text);
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'helpers');
  const base = git(repo, 'rev-parse', 'HEAD').trim();
  const testPatch = await diffOf(repo, { 'test/check.mjs': CHECK });
  const instances: FixtureInstance[] = [];
  for (const bug of FIXTURE_BUGS) {
    instances.push({
      instance_id: bug.id,
      repo: 'repo',
      base_commit: base,
      problem_statement: bug.problem,
      test_patch: testPatch,
      FAIL_TO_PASS: bug.failToPass,
      PASS_TO_PASS: ['mul'],
      patch: await diffOf(repo, { [bug.file]: bug.fixed }),
      test_command: 'node test/check.mjs {tests}',
      ...opts.extra?.[bug.id],
    });
  }
  const file = join(dir, 'instances.jsonl');
  const lines = [...instances.map((instance) => JSON.stringify(instance)), ...(opts.lines ?? [])];
  await writeFile(file, `${lines.join('\n')}\n`);
  return { file, instances };
}

/** A scripted-model script whose coder writes `content` to `path` as the fix (crew: planned as s1; solo: s1). */
export function fixScript(path: string, content: string): Record<string, unknown> {
  return {
    version: 1,
    usage: { prompt_tokens: 100, completion_tokens: 10 },
    rules: [
      {
        match: { agent: 'planner' },
        replies: [
          {
            tool_calls: [
              {
                name: 'submit_plan',
                args: {
                  summary: 'One change',
                  subtasks: [{ id: 's1', title: 'Fix it', description: 'Fix it', files: [path], depends_on: [] }],
                },
              },
            ],
          },
        ],
      },
      {
        match: { agent: 'coder' },
        replies: [
          {
            tool_calls: [
              { name: 'write_file', args: { path, content } },
              { name: 'finish', args: { summary: `Rewrote ${path}` } },
            ],
          },
        ],
      },
      {
        match: { agent: 'reviewer' },
        replies: [
          {
            tool_calls: [{ name: 'submit_review', args: { verdict: 'approve', summary: 'Looks right', comments: [] } }],
          },
        ],
      },
    ],
  };
}
