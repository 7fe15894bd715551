import { describe, expect, it } from 'vitest';
import { ChatTokenCounter } from '@codecrew/llm';
import { contextBudget } from '../src/runtime/context/budget.ts';
import { capToolOutput } from '../src/runtime/context/cap.ts';

const counter = new ChatTokenCounter('gpt-4.1');
const count = (text: string): number => counter.text(text);

/** A file as read_file shows it: numbered lines. */
function numbered(lines: number, from = 1): string {
  return Array.from(
    { length: lines },
    (_, i) =>
      `${String(from + i).padStart(5)}\tconst value${from + i} = compute(${from + i}, 'some text on line ${from + i}');`,
  ).join('\n');
}

describe('contextBudget', () => {
  it('shares a window out: a reply reserve, high and low marks, and caps for a tool result, recent steps and a summary', () => {
    expect(contextBudget(16_000)).toEqual({
      window: 16_000,
      reserve: 2000,
      limit: 14_000,
      high: 11_200,
      low: 7000,
      toolResult: 1400,
      recent: 3500,
      summary: 1400,
    });
    expect(contextBudget(1_047_576)).toMatchObject({ reserve: 8192, toolResult: 10_000, summary: 4000 });
    expect(contextBudget(128_000, 16_384).reserve).toBe(16_384);
    // A configured output limit never takes more than a quarter of the window.
    expect(contextBudget(16_000, 32_000).reserve).toBe(4000);
  });
});

describe('capToolOutput', () => {
  it('leaves a result within the budget as it is', () => {
    const text = numbered(20);
    expect(capToolOutput(text, { tool: 'read_file', args: { path: 'a.ts' }, budget: 2000, count })).toMatchObject({
      text,
      cut: false,
    });
  });

  it("keeps a long file's head and tail within the budget, and says which lines were cut and how to read them", () => {
    const text = numbered(3000);
    const capped = capToolOutput(text, { tool: 'read_file', args: { path: 'src/big.ts' }, budget: 2000, count });
    expect(capped.cut).toBe(true);
    expect(count(capped.text)).toBeLessThanOrEqual(2000);
    const lines = capped.text.split('\n');
    expect(lines[0]).toBe(text.split('\n')[0]);
    expect(lines.at(-1)).toBe(text.split('\n').at(-1));
    const note = lines.find((line) => line.startsWith('[…'));
    const firstCut = Number(/lines (\d+)-/.exec(note ?? '')?.[1]);
    const lastKept = lines[lines.indexOf(note ?? '') - 1] ?? '';
    // The note names the first line left out, right after the last line shown, and the read that brings it back.
    expect(Number(lastKept.trim().split('\t')[0]) + 1).toBe(firstCut);
    expect(note).toMatch(
      new RegExp(
        `lines ${firstCut}-\\d+ were cut; read them with read_file path="src/big.ts" offset=${firstCut} limit=\\d+`,
      ),
    );
    expect(note).toMatch(/cut here to fit the model's context/);
  });

  it('keeps a shell result valid JSON, with its exit code, the head and tail of stdout and the end of stderr', () => {
    const stdout = Array.from({ length: 4000 }, (_, i) => `test ${i} passed`).join('\n');
    const stderr = `${'warning: deprecated\n'.repeat(500)}Error: the last test failed`;
    const text = JSON.stringify({ exit_code: 1, stdout, stderr, truncated: false });
    const capped = capToolOutput(text, { tool: 'shell', args: { command: 'npm test' }, budget: 1500, count });
    expect(count(capped.text)).toBeLessThanOrEqual(1500);
    const payload = JSON.parse(capped.text) as Record<string, string | number | boolean>;
    expect(payload.exit_code).toBe(1);
    expect(payload.truncated).toBe(false);
    expect(String(payload.stdout)).toMatch(/^test 0 passed\n/);
    expect(String(payload.stdout)).toMatch(/test 3999 passed$/);
    expect(String(payload.stdout)).toContain('run the command again with less output');
    expect(String(payload.stderr)).toMatch(/Error: the last test failed$/);
  });

  it('tells a search to narrow down, and cuts a very long result without counting it whole', () => {
    const matches = Array.from({ length: 200 }, (_, i) => `src/file${i}.ts:${i}:const match = ${'x'.repeat(200)};`);
    const search = capToolOutput(matches.join('\n'), {
      tool: 'search',
      args: { pattern: 'match' },
      budget: 800,
      count,
    });
    expect(search.text).toContain('narrow the search with a more specific pattern, a path or a glob');
    const huge = 'line of output\n'.repeat(200_000);
    const capped = capToolOutput(huge, { tool: 'shell', args: {}, budget: 500, count });
    expect(capped.tokensBefore).toBeUndefined();
    expect(count(capped.text)).toBeLessThanOrEqual(500);
  });
});
