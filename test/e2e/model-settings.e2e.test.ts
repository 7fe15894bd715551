import { describe, expect, it } from 'vitest';
import { SCRIPTED_MODEL, SLUGIFY, approve, call, calls, plan, runScripted } from '../support/scripted-run.ts';

type Body = Record<string, unknown>;

const PRICE = { inputPerMillion: 1000, cachedInputPerMillion: 100, outputPerMillion: 2000 };

describe('per-role model settings', () => {
  it('reach the model server: Responses API with reasoning for the planner, temperature and max tokens for the coder, reasoning effort for the reviewer', async () => {
    const bodies: Array<{ agent: string | undefined; path: string; body: Body }> = [];
    const { run, report, server } = await runScripted(
      'model settings',
      {
        usage: { prompt_tokens: 1000, cached_tokens: 800, completion_tokens: 100, reasoning_tokens: 60 },
        rules: [
          {
            match: { agent: 'planner' },
            replies: [
              { reasoning: { summary: 'Where does slugify go?' }, ...call('list_files', { path: '.' }) },
              { reasoning: {}, ...plan([{ id: 'slug', files: ['src/slug.js'] }]) },
            ],
          },
          {
            match: { agent: 'coder' },
            replies: [
              calls(['write_file', { path: 'src/slug.js', content: SLUGIFY }], ['finish', { summary: 'slugify' }]),
            ],
          },
          { match: { agent: 'reviewer' }, replies: [approve] },
        ],
      },
      {
        test: { command: 'node --test test/words.test.js' },
        budget: { maxCostUsd: 100 },
        models: {
          planner: { name: SCRIPTED_MODEL, api: 'responses', reasoningEffort: 'high', maxOutputTokens: 5000 },
          coder: { name: SCRIPTED_MODEL, temperature: 0.3, maxOutputTokens: 2000, extraBody: { seed: 7 } },
          reviewer: { name: SCRIPTED_MODEL, reasoningEffort: 'low' },
        },
      },
      {
        specModels: true,
        config: { models: { catalog: { [SCRIPTED_MODEL]: { price: PRICE } } } },
        onRequest: (body, record) => bodies.push({ agent: record.headers.agent, path: record.path, body }),
      },
    );
    expect(run.code).toBe(0);
    expect(report.status).toBe('approved');

    const settingsOf = (agent: string) =>
      server.requests.filter((r) => r.headers.agent === agent).map((r) => [r.path, r.settings]);
    const plannerSettings = {
      model: SCRIPTED_MODEL,
      stream: false,
      include: ['reasoning.encrypted_content'],
      max_output_tokens: 5000,
      store: false,
      reasoning: { effort: 'high' },
    };
    expect(settingsOf('planner')).toEqual([
      ['/v1/responses', expect.objectContaining(plannerSettings)],
      ['/v1/responses', expect.objectContaining(plannerSettings)],
    ]);
    expect(settingsOf('coder')).toEqual([
      ['/v1/chat/completions', { model: SCRIPTED_MODEL, temperature: 0.3, stream: false, max_tokens: 2000, seed: 7 }],
    ]);
    expect(settingsOf('reviewer')).toEqual([
      ['/v1/chat/completions', { model: SCRIPTED_MODEL, stream: false, reasoning_effort: 'low' }],
    ]);

    // The planner's second request sends back the reasoning item of its first answer, encrypted.
    const plannerInputs = bodies.filter((b) => b.agent === 'planner').map((b) => b.body.input as Body[]);
    const reasoning = plannerInputs[1]?.filter((item) => item.type === 'reasoning');
    expect(reasoning).toEqual([
      expect.objectContaining({
        id: 'rs_scripted_1',
        summary: [{ type: 'summary_text', text: 'Where does slugify go?' }],
        encrypted_content: expect.stringMatching(/^codecrew-scripted-reasoning:/),
      }),
    ]);
    // Every tool went out strict, and the server (which checks strict schemas as OpenAI does) took them.
    for (const { body } of bodies) {
      for (const tool of body.tools as Body[]) {
        const strict = 'function' in tool ? (tool.function as Body).strict : tool.strict;
        expect(strict).toBe(true);
      }
    }

    // 4 calls of 1000 prompt tokens (800 cached) and 100 completion tokens (60 reasoning).
    const usage = report.usage as Record<string, number>;
    expect(usage).toMatchObject({
      calls: 4,
      promptTokens: 4000,
      cachedPromptTokens: 3200,
      completionTokens: 400,
      reasoningTokens: 240,
    });
    expect(usage.costUsd).toBeCloseTo((800 * 1000 + 3200 * 100 + 400 * 2000) / 1_000_000, 9);
    expect(run.stdout).toContain('4 model calls, 4400 tokens (3200 cached, 240 reasoning), $1.9200');
  });
});
