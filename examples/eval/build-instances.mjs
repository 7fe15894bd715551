// Builds instances.jsonl and scripted/<instance_id>.yaml from the readable
// instance sources in instances/<instance_id>/:
//   meta.json  the problem statement, test command, test names, and the plan
//              and review text the scripted model uses
//   tests/     files that the hidden tests add or change (-> test_patch)
//   gold/      files of the reference fix (-> patch)
//   wrong/     optional: files of a deliberately wrong fix; the scripted
//              model then writes these instead of the gold files
// Each patch is `git diff` between the repository's bundle at base_commit and
// the repository with the files laid over it. Run build-repos.sh first.
//
//   node examples/eval/build-instances.mjs
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';

const EVAL_DIR = new URL('.', import.meta.url).pathname;
const INSTANCES_DIR = join(EVAL_DIR, 'instances');
const SCRIPTED_DIR = join(EVAL_DIR, 'scripted');

/** The command a coder runs to check its work: the repository's visible suite. */
const VISIBLE_TESTS = {
  textops: 'node --test',
  tskit: 'sh scripts/test.sh',
  pyconf: 'python3 -m unittest',
  shtools: 'bash tests/run.sh',
};

const git = (cwd, ...args) => execFileSync('git', args, { cwd, encoding: 'utf8', env: gitEnv() });

function gitEnv() {
  return { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
}

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => relative(dir, path))
    .sort();
}

/** The unified diff that lays the files of `overlay` over a clean checkout. */
function diffOf(checkout, overlay) {
  git(checkout, 'checkout', '-q', '--', '.');
  git(checkout, 'clean', '-q', '-fdx');
  cpSync(overlay, checkout, { recursive: true });
  git(checkout, 'add', '-A');
  const diff = git(checkout, 'diff', '--cached', '--no-color', '--no-ext-diff');
  git(checkout, 'reset', '-q');
  git(checkout, 'checkout', '-q', '--', '.');
  git(checkout, 'clean', '-q', '-fdx');
  if (diff.trim() === '') throw new Error(`${overlay} changes nothing`);
  return diff;
}

/**
 * The scripted crew for one instance. The plan's single subtask is `s1`, the
 * id a solo run gives its coder, so the same script serves crew and solo runs.
 */
function scriptFor(meta, fixDir, wrong) {
  const fixFiles = filesUnder(fixDir);
  const check = VISIBLE_TESTS[meta.repo];
  const title = meta.problem_statement.split('\n')[0];
  return {
    version: 1,
    usage: { prompt_tokens: 1200, completion_tokens: 160 },
    rules: [
      {
        match: { agent: 'planner' },
        replies: [
          { tool_calls: [{ name: 'list_files', args: { path: '.', depth: 2 } }] },
          { tool_calls: fixFiles.map((path) => ({ name: 'read_file', args: { path } })) },
          {
            tool_calls: [
              {
                name: 'submit_plan',
                args: {
                  summary: `One change: ${title}.`,
                  subtasks: [{ id: 's1', title, description: meta.plan, files: fixFiles, depends_on: [] }],
                },
              },
            ],
          },
        ],
      },
      {
        match: { agent: 'coder', subtask: 's1' },
        replies: [
          { tool_calls: fixFiles.map((path) => ({ name: 'read_file', args: { path } })) },
          {
            tool_calls: fixFiles.map((path) => ({
              name: 'write_file',
              args: { path, content: readFileSync(join(fixDir, path), 'utf8') },
            })),
          },
          { tool_calls: [{ name: 'shell', args: { command: check } }] },
          { tool_calls: [{ name: 'finish', args: { summary: meta.plan } }] },
        ],
      },
      {
        match: { agent: 'reviewer' },
        replies: [
          { tool_calls: [{ name: 'read_file', args: { path: fixFiles[0] } }] },
          {
            tool_calls: [
              {
                name: 'submit_review',
                args: { verdict: 'approve', summary: wrong ? `${meta.review} (This fix is wrong on purpose.)` : meta.review, comments: [] },
              },
            ],
          },
        ],
      },
    ],
  };
}

const ids = readdirSync(INSTANCES_DIR).sort();
const lines = [];
mkdirSync(SCRIPTED_DIR, { recursive: true });
for (const id of ids) {
  const dir = join(INSTANCES_DIR, id);
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  if (meta.instance_id !== id) throw new Error(`${dir}: instance_id ${meta.instance_id} differs from the folder name`);
  const bundle = join(EVAL_DIR, 'repos', `${meta.repo}.bundle`);
  const checkout = mkdtempSync(join(tmpdir(), `eval-${id}-`));
  try {
    execFileSync('git', ['clone', '-q', bundle, checkout], { env: gitEnv() });
    const base_commit = git(checkout, 'rev-parse', 'HEAD').trim();
    const test_patch = diffOf(checkout, join(dir, 'tests'));
    const patch = diffOf(checkout, join(dir, 'gold'));
    lines.push(
      JSON.stringify({
        instance_id: id,
        repo: `repos/${meta.repo}.bundle`,
        base_commit,
        problem_statement: meta.problem_statement,
        test_patch,
        FAIL_TO_PASS: meta.FAIL_TO_PASS,
        PASS_TO_PASS: meta.PASS_TO_PASS,
        patch,
        test_command: meta.test_command,
      }),
    );
    const wrongDir = join(dir, 'wrong');
    const wrong = existsSync(wrongDir);
    const header =
      `# Scripted model replies for eval instance ${id}, generated by build-instances.mjs.\n` +
      (wrong
        ? '# This script writes a WRONG fix on purpose (instances/' + id + '/wrong): the hidden tests fail.\n'
        : '# The coder writes the reference fix (instances/' + id + '/gold).\n');
    writeFileSync(join(SCRIPTED_DIR, `${id}.yaml`), header + stringify(scriptFor(meta, wrong ? wrongDir : join(dir, 'gold'), wrong), { lineWidth: 0 }));
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
}
writeFileSync(join(EVAL_DIR, 'instances.jsonl'), lines.join('\n') + '\n');
console.log(`${lines.length} instances written to instances.jsonl and scripted/`);
