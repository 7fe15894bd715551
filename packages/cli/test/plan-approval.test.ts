import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '@codecrew/core';
import { main } from '../src/index.ts';
import type { Io } from '../src/io.ts';
import { planLines } from '../src/commands/plan-prompt.ts';
import { ProgressPrinter } from '../src/progress/printer.ts';

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (line) => out.push(line), err: (line) => err.push(line), color: false };
  return { code: await main(argv, io), out, err };
}

function taskFile(extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'codecrew-cli-approve-'));
  const file = join(dir, 'task.yaml');
  writeFileSync(
    file,
    `apiVersion: codecrew/v1\nkind: Task\nmetadata: { name: held }\nspec:\n  repo: { path: . }\n  prompt: go\n${extra}`,
  );
  return file;
}

describe('plan approval in the CLI', () => {
  it('shows a plan with the files of each subtask and what it waits for', () => {
    expect(
      planLines({
        summary: 'two steps',
        subtasks: [
          { id: 'a', title: 'Parse', description: '', files: ['src/parse.js'], depends_on: [] },
          { id: 'b', title: 'Use it', description: '', files: [], depends_on: ['a'] },
        ],
      }),
    ).toEqual(['Plan: two steps', '  a: Parse', '      files: src/parse.js', '  b: Use it (after a)']);
  });

  it('refuses run --approve-plan without a terminal before starting anything, and says how to approve on a server', async () => {
    const result = await run(['run', taskFile(), '--approve-plan']);
    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toContain('stdin is not a terminal to ask on');
    expect(result.err.join('\n')).toContain('codecrew approve TASK_ID');
    expect(result.out).toEqual([]);
  });

  it('refuses the same for a task file that asks for approval', async () => {
    const result = await run(['run', taskFile('  plan: { approval: required }\n')]);
    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toContain('stdin is not a terminal to ask on');
  });

  it('prints the wait and the decision as progress lines', () => {
    const lines: string[] = [];
    const printer = new ProgressPrinter((line) => lines.push(line), { color: false, verbose: false });
    const event = (kind: TraceEvent['kind'], message: string): TraceEvent => ({
      taskId: 't',
      kind,
      at: new Date().toISOString(),
      message,
      data: {},
    });
    printer.handle(event('plan.awaiting_approval', 'plan awaits approval: 2 subtask(s)'));
    printer.handle(event('plan.approved', 'plan approved by ana'));
    expect(lines.map((line) => line.replace(/^\s*[\d.]+s\s+/, '').replace(/\s+/g, ' '))).toEqual([
      'crew plan awaits approval: 2 subtask(s)',
      'crew plan approved by ana',
    ]);
  });
});
