import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelScript, startScriptedModelServer } from '@codecrew/llm';
import { TEXTKIT, git, makeGitRepo, runCli, tempDirFor } from '../support/cli.ts';
import {
  EXPORT_BOTH,
  SCRIPTED_MODEL,
  SLUGIFY,
  TITLE_CASE,
  approve,
  call,
  calls,
  jobsOf,
  plan,
  runScripted,
} from '../support/scripted-run.ts';

const DOCUMENTED_TITLE = `/** Title-cases a text, keeping small words lowercase after the first. */\n${TITLE_CASE}`;

describe('rounds, candidates and guards', () => {
  it("routes a reviewer's requested change to the coder that owns the file, and approves the second round", async () => {
    const { run, report } = await runScripted('crew review round', {
      rules: [
        {
          match: { agent: 'planner' },
          replies: [
            plan([
              { id: 'slug', files: ['src/slug.js', 'src/index.js'] },
              { id: 'title', files: ['src/title.js'] },
            ]),
          ],
        },
        {
          match: { agent: 'coder', subtask: 'slug' },
          replies: [
            calls(
              ['write_file', { path: 'src/slug.js', content: SLUGIFY }],
              ['edit_file', EXPORT_BOTH],
              ['finish', { summary: 'slugify and exports' }],
            ),
          ],
        },
        {
          match: { agent: 'coder', subtask: 'title', last_message: 'reviewer requested changes' },
          replies: [
            calls(
              ['write_file', { path: 'src/title.js', content: DOCUMENTED_TITLE }],
              ['finish', { summary: 'documented titleCase' }],
            ),
          ],
        },
        {
          match: { agent: 'coder', subtask: 'title' },
          replies: [
            calls(['write_file', { path: 'src/title.js', content: TITLE_CASE }], ['finish', { summary: 'titleCase' }]),
          ],
        },
        { match: { agent: 'reviewer', last_message: 'Title-cases a text' }, replies: [approve] },
        {
          match: { agent: 'reviewer' },
          replies: [
            call('submit_review', {
              verdict: 'request_changes',
              summary: 'Document titleCase',
              comments: [{ path: 'src/title.js', line: 2, severity: 'minor', body: 'Add a doc comment.' }],
            }),
          ],
        },
      ],
    });
    expect(run.code).toBe(0);
    expect(report.status).toBe('approved');
    expect((report.reviews as Array<{ verdict: string; round: number }>).map((r) => [r.round, r.verdict])).toEqual([
      [0, 'request_changes'],
      [1, 'approve'],
    ]);
    const coders = jobsOf(report)
      .filter((j) => j.role === 'coder')
      .map((j) => [j.subtaskId, j.round]);
    expect(coders).toEqual([
      ['slug', 0],
      ['title', 0],
      ['title', 1],
    ]);
  });

  it('runs three candidates for a subtask and picks the only one whose tests pass', async () => {
    const wrong = 'export function slugify(text) {\n  return text;\n}\n';
    const candidate = (content: string) => [
      calls(
        ['write_file', { path: 'src/slug.js', content }],
        [
          'edit_file',
          { ...EXPORT_BOTH, new: "export { wordCount } from './words.js';\nexport { slugify } from './slug.js';\n" },
        ],
        ['finish', { summary: 'slugify' }],
      ),
    ];
    const { run, report } = await runScripted(
      'crew best of three',
      {
        rules: [
          { match: { agent: 'planner' }, replies: [plan([{ id: 'slug', files: ['src/slug.js', 'src/index.js'] }])] },
          { match: { agent: 'coder', attempt: 2 }, replies: candidate(SLUGIFY) },
          { match: { agent: 'coder' }, replies: candidate(wrong) },
          { match: { agent: 'reviewer' }, replies: [approve] },
        ],
      },
      { attempts: 3, test: { command: 'node --test test/slug.test.js test/words.test.js' } },
    );
    expect(run.code).toBe(0);
    expect(report.status).toBe('approved');
    const [selection] = report.selections as Array<{
      winner: number;
      reason: string;
      candidates: Array<{ attempt: number; tests: { exitCode: number } }>;
    }>;
    expect(selection?.winner).toBe(2);
    expect(selection?.reason).toBe('all its tests pass');
    expect(selection?.candidates.map((c) => [c.attempt, c.tests.exitCode === 0])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
    expect(jobsOf(report).filter((j) => j.role === 'coder')).toHaveLength(3);
  });

  it('stops an agent that repeats the same call as stuck, and fails its subtask', async () => {
    const again = call('read_file', { path: 'src/words.js' });
    const { run, report } = await runScripted('crew stuck', {
      rules: [
        { match: { agent: 'planner' }, replies: [plan([{ id: 'loop', files: ['src/words.js'] }])] },
        { match: { agent: 'coder' }, replies: [again, again, again, again, again, again] },
      ],
    });
    expect(run.code).toBe(1);
    expect(report.status).toBe('failed');
    const [coder] = jobsOf(report).filter((j) => j.role === 'coder');
    expect(coder?.error?.code).toBe('AGENT_STUCK');
    expect((report.subtasks as Array<{ id: string; status: string }>).map((s) => [s.id, s.status])).toEqual([
      ['loop', 'failed'],
    ]);
  });

  it('answers an ask task in Markdown without changing anything', async () => {
    const dir = await tempDirFor('crew ask');
    const repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
    const branchesBefore = git(repo, 'branch', '--list');
    const markdown =
      'Words are counted in `src/words.js:2`.\n\n```mermaid\nflowchart LR\n  text --> trim --> split --> count\n```\n';
    const server = await startScriptedModelServer({
      script: ModelScript.parse({
        version: 1,
        rules: [
          {
            match: { agent: 'asker' },
            replies: [call('read_file', { path: 'src/words.js' }), call('answer', { markdown })],
          },
        ],
      }),
    });
    try {
      const run = await runCli(['ask', '--repo', repo, '--model', SCRIPTED_MODEL, 'How are words counted? Draw it.'], {
        env: { CODECREW_DATA_DIR: join(dir, 'data'), OPENAI_BASE_URL: server.url, OPENAI_API_KEY: '' },
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Result: answered');
      expect(run.stdout).toContain('flowchart LR');
      expect(server.requests.map((r) => r.headers.agent)).toEqual(['asker', 'asker']);
    } finally {
      await server.close();
    }
    expect(git(repo, 'branch', '--list')).toBe(branchesBefore);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(repo, 'src/slug.js'))).toBe(false);
    expect(execFileSync('git', ['log', '--oneline'], { cwd: repo, encoding: 'utf8' }).trim().split('\n')).toHaveLength(
      1,
    );
  });
});
