import { describe, expect, it } from 'vitest';
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

const WINDOW = 16_000;
/** Large files the coder makes in its sandbox and then reads: 5,000 lines each, far more than the window. */
const MAKE_FILES =
  'mkdir -p data && for i in 1 2 3 4 5 6; do seq -f "line %g of generated file $i: some words to make it longer" 1 5000 > data/big$i.txt; done && wc -l data/*.txt';

/** A coder that makes the large files, reads them `reads` times (every whole read far over its share of the window), then does the work: `reads` + 3 steps. */
function longCoder(reads: number) {
  const replies: unknown[] = [call('shell', { command: MAKE_FILES })];
  for (let i = 0; i < reads; i += 1) {
    const file = `data/big${(i % 6) + 1}.txt`;
    // Whole files (cut to the tool-result cap) and slices of 400 lines, from all over the file.
    replies.push(
      i % 3 === 0
        ? call('read_file', { path: file })
        : call('read_file', { path: file, offset: ((i * 613) % 4500) + 1, limit: 400 }),
    );
  }
  replies.push(
    calls(
      ['shell', { command: 'rm -rf data' }],
      ['write_file', { path: 'src/slug.js', content: SLUGIFY }],
      ['write_file', { path: 'src/title.js', content: TITLE_CASE }],
    ),
    calls(['edit_file', EXPORT_BOTH], ['finish', { summary: 'slugify and titleCase, after reading the data' }]),
  );
  return replies;
}

const SUMMARY = {
  content:
    'Done: generated data/big1-6.txt (5,000 numbered lines each) and read them in whole and in slices; they hold only generated lines. ' +
    'Left: remove data/, add src/slug.js and src/title.js, export both from src/index.js, finish. Files: none changed yet.',
};

describe('a long run on a small context window', () => {
  it('keeps a 60-step coder within a 16,000-token window: no request over it, compactions in the trace, the task done', async () => {
    const { run, report, trace, stats } = await runScripted(
      'context window long run',
      {
        context_window: WINDOW,
        usage: { prompt_tokens: 'counted', completion_tokens: 40 },
        rules: [
          { match: { purpose: 'compact' }, replies: Array.from({ length: 40 }, () => SUMMARY) },
          {
            match: { agent: 'planner' },
            replies: [plan([{ id: 'text', files: ['src/slug.js', 'src/title.js', 'src/index.js', 'data/**'] }])],
          },
          { match: { agent: 'coder' }, replies: longCoder(57) },
          { match: { agent: 'reviewer' }, replies: [approve] },
        ],
      },
      { budget: { maxSteps: 70 } },
      { config: { models: { catalog: { 'scripted-test': { contextWindow: WINDOW } } } } },
    );
    expect(run.code).toBe(0);
    expect(report.status).toBe('approved');
    const coder = jobsOf(report).find((job) => job.role === 'coder');
    expect(coder?.status).toBe('succeeded');

    // The server saw every request and refused none: the largest prompt is within the window.
    expect(stats.totals.overContextWindow).toBe(0);
    expect(stats.totals.byOutcome.context_length_exceeded).toBeUndefined();
    expect(stats.totals.maxPromptTokens).toBeLessThanOrEqual(WINDOW);
    const coderSteps = stats.requests.filter((r) => r.headers.agent === 'coder' && r.headers.purpose === 'step');
    expect(coderSteps).toHaveLength(60);
    expect(coderSteps.every((r) => r.status === 200)).toBe(true);

    // The coder's conversation was compacted, each time from past its high-water mark to below it, by a summary request.
    const compactions = trace.filter((e) => e.kind === 'context.compacted' && e.role === 'coder');
    const compactRequests = stats.requests.filter((r) => r.headers.purpose === 'compact');
    expect(compactions.length).toBeGreaterThan(0);
    expect(compactRequests).toHaveLength(compactions.length);
    for (const event of compactions) {
      const data = event.data as { before: number; after: number; byModel: boolean; contextWindow: number };
      expect(data.byModel).toBe(true);
      expect(data.contextWindow).toBe(WINDOW);
      expect(data.after).toBeLessThan(data.before);
    }
  });

  it("recovers from the server's context_length_exceeded with one compaction and a retry of the same step", async () => {
    // The catalog says nothing of the model: the runtime assumes 32,768 tokens, the server allows 10,000.
    const { run, report, trace, stats } = await runScripted('context window overflow', {
      context_window: 10_000,
      usage: { prompt_tokens: 'counted', completion_tokens: 40 },
      rules: [
        { match: { purpose: 'compact' }, replies: Array.from({ length: 5 }, () => SUMMARY) },
        {
          match: { agent: 'planner' },
          replies: [plan([{ id: 'text', files: ['src/slug.js', 'src/title.js', 'src/index.js', 'data/**'] }])],
        },
        { match: { agent: 'coder' }, replies: longCoder(3) },
        { match: { agent: 'reviewer' }, replies: [approve] },
      ],
    });
    expect(run.code).toBe(0);
    expect(report.status).toBe('approved');
    const refused = stats.requests.filter((r) => r.outcome === 'context_length_exceeded');
    expect(refused).toHaveLength(1);
    const at = stats.requests.indexOf(refused[0] as (typeof stats.requests)[number]);
    // The refused step, then its compaction, then the same step again (it gets the reply the refused one would have).
    expect(stats.requests.slice(at, at + 3).map((r) => [r.headers.purpose, r.outcome])).toEqual([
      ['step', 'context_length_exceeded'],
      ['compact', 'content'],
      ['step', 'tool_calls'],
    ]);
    expect(stats.requests[at + 2]?.promptTokens).toBeLessThanOrEqual(10_000);
    const compactions = trace.filter((e) => e.kind === 'context.compacted');
    expect(compactions).toHaveLength(1);
    expect(compactions[0]?.data).toMatchObject({
      serverContextWindow: 10_000,
      serverPromptTokens: refused[0]?.promptTokens,
      contextWindow: 10_000,
    });
  });
});
