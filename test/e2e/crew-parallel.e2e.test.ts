import { describe, expect, it } from 'vitest';
import { containersOfTask } from '../support/cli.ts';
import {
  EXPORT_BOTH,
  SLUGIFY,
  TITLE_CASE,
  approve,
  call,
  calls,
  jobsOf,
  plan,
  runScripted,
} from '../support/scripted-run.ts';

const WORDS_ONLY = { test: { command: 'node --test test/words.test.js' } };

describe('a crew that works in parallel', () => {
  it('runs four independent subtasks at the same time, in four sandboxes', async () => {
    const ids = ['a', 'b', 'c', 'd'];
    const { run, report } = await runScripted(
      'crew four',
      {
        rules: [
          { match: { agent: 'planner' }, replies: [plan(ids.map((id) => ({ id, files: [`src/${id}.js`] })))] },
          ...ids.map((id) => ({
            match: { agent: 'coder', subtask: id },
            replies: [
              calls(
                ['write_file', { path: `src/${id}.js`, content: `export const ${id} = 1;\n` }],
                ['shell', { command: 'sleep 1' }],
              ),
              call('finish', { summary: `added ${id}` }),
            ],
          })),
          { match: { agent: 'reviewer' }, replies: [approve] },
        ],
      },
      { ...WORDS_ONLY, parallelism: 4 },
    );
    expect(run.code).toBe(0);
    expect(report.status).toBe('approved');
    const coders = jobsOf(report).filter((j) => j.role === 'coder');
    expect(coders.map((j) => j.subtaskId).sort()).toEqual(ids);
    // Every coder's sandbox was alive while every other one was: the last to start started before the first to end ended.
    const lastStart = Math.max(...coders.map((j) => Date.parse(j.startedAt)));
    const firstEnd = Math.min(...coders.map((j) => Date.parse(j.finishedAt)));
    expect(lastStart).toBeLessThan(firstEnd);
    expect(containersOfTask(report.taskId)).toEqual([]);
  });

  it('runs a dependency chain in order, each from the tree its dependencies left', async () => {
    const { run, report } = await runScripted(
      'crew chain',
      {
        rules: [
          {
            match: { agent: 'planner' },
            replies: [
              plan([
                { id: 'a', files: ['src/a.js'] },
                { id: 'b', files: ['src/b.js'], depends_on: ['a'] },
                { id: 'c', files: ['src/c.js'], depends_on: ['b'] },
              ]),
            ],
          },
          {
            match: { agent: 'coder', subtask: 'a' },
            replies: [calls(['write_file', { path: 'src/a.js', content: 'a\n' }], ['finish', { summary: 'a' }])],
          },
          {
            match: { agent: 'coder', subtask: 'b' },
            replies: [
              calls(
                ['shell', { command: 'cat src/a.js' }],
                ['write_file', { path: 'src/b.js', content: 'b\n' }],
                ['finish', { summary: 'b' }],
              ),
            ],
          },
          {
            match: { agent: 'coder', subtask: 'c' },
            replies: [
              calls(
                ['shell', { command: 'cat src/a.js src/b.js' }],
                ['write_file', { path: 'src/c.js', content: 'c\n' }],
                ['finish', { summary: 'c' }],
              ),
            ],
          },
          { match: { agent: 'reviewer' }, replies: [approve] },
        ],
      },
      WORDS_ONLY,
    );
    expect(run.code).toBe(0);
    const coders = jobsOf(report).filter((j) => j.role === 'coder');
    expect(coders.map((j) => j.subtaskId)).toEqual(['a', 'b', 'c']);
    for (let i = 1; i < coders.length; i += 1) {
      expect(Date.parse(coders[i - 1]?.finishedAt ?? '')).toBeLessThanOrEqual(Date.parse(coders[i]?.startedAt ?? ''));
    }
    expect(coders.map((j) => j.commands.map((c) => [c.command, c.exitCode]))).toEqual([
      [],
      [['cat src/a.js', 0]],
      [['cat src/a.js src/b.js', 0]],
    ]);
  });

  it('resolves two subtasks that conflict on a file with a resolver job', async () => {
    const editIndex = (name: string, file: string) => ({
      path: 'src/index.js',
      old: "export { wordCount } from './words.js';\n",
      new: `export { wordCount } from './words.js';\nexport { ${name} } from './${file}.js';\n`,
    });
    const { run, report } = await runScripted('crew conflict', {
      rules: [
        {
          match: { agent: 'planner' },
          replies: [
            plan([
              { id: 'slug', files: ['src/slug.js'] },
              { id: 'title', files: ['src/title.js'] },
            ]),
          ],
        },
        {
          match: { agent: 'coder', subtask: 'title', last_message: 'conflict markers' },
          replies: [
            calls(
              ['write_file', { path: 'src/index.js', content: EXPORT_BOTH.new }],
              ['finish', { summary: 'kept both exports' }],
            ),
          ],
        },
        {
          match: { agent: 'coder', subtask: 'slug' },
          replies: [
            calls(
              ['write_file', { path: 'src/slug.js', content: SLUGIFY }],
              ['edit_file', editIndex('slugify', 'slug')],
              ['finish', { summary: 'slugify' }],
            ),
          ],
        },
        {
          match: { agent: 'coder', subtask: 'title' },
          replies: [
            calls(
              ['write_file', { path: 'src/title.js', content: TITLE_CASE }],
              ['edit_file', editIndex('titleCase', 'title')],
              ['finish', { summary: 'titleCase' }],
            ),
          ],
        },
        { match: { agent: 'reviewer' }, replies: [approve] },
      ],
    });
    expect(run.code).toBe(0);
    expect(report.status).toBe('approved');
    const merges = (
      report.merges as Array<{ subtaskId: string; kind: string; status: string; conflicts?: string[] }>
    ).map((m) => [m.subtaskId, m.kind, m.status, m.conflicts ?? []]);
    expect(merges).toEqual([
      ['slug', 'implement', 'clean', []],
      ['title', 'implement', 'conflict', ['src/index.js']],
      ['title', 'resolve', 'clean', []],
    ]);
    expect(jobsOf(report).map((j) => j.jobId.replace(`${report.taskId}-`, ''))).toContain('code-title-r0-resolve');
    expect((report.tests as Array<{ exitCode: number; passed: number }>).at(-1)).toMatchObject({
      exitCode: 0,
      passed: 7,
    });
    const provenance = report.provenance as Array<{ file: string; subtasks: string[] }>;
    expect(provenance.find((p) => p.file === 'src/slug.js')?.subtasks).toEqual(['slug']);
    expect(provenance.find((p) => p.file === 'src/title.js')?.subtasks).toEqual(['title']);
  });
});
