import { describe, expect, it } from 'vitest';
import { PROMPT_NAMES, promptTemplate, renderPrompt } from '../src/prompts/load.ts';
import { systemPrompt } from '../src/runtime/prompt.ts';
import { testJob as job } from './fixtures.ts';

describe('role prompts', () => {
  it('are found beside the code and have only the placeholders the runtime fills', () => {
    for (const name of PROMPT_NAMES) {
      const text = renderPrompt(promptTemplate(name), { maxSteps: 25, commandTimeout: '5 minutes' });
      expect(text).not.toMatch(/\{\{|\}\}/);
      expect(text.length).toBeGreaterThan(500);
    }
  });

  it("give the coder its workflow, edit tools, step budget, the test command, the repository's map and AGENTS.md", () => {
    const prompt = systemPrompt('coder', job({ testCommand: 'npm test', repoMap: 'src/\n  index.js\npackage.json' }));
    for (const part of [
      '1. **Explore.**',
      '2. **Reproduce.**',
      '4. **Verify.**',
      '`edit_file` for a small, exact replacement',
      '`apply_patch` for several changes',
      '`write_file` to create a new file',
      'You have 25 steps',
      'Every `shell` call runs in a fresh, non-interactive bash',
      'Each command has a time limit (5 minutes unless you raise `timeout_ms`)',
      "The repository's test command is `npm test`",
      '```\nsrc/\n  index.js\npackage.json\n```',
      'Use two spaces.',
    ]) {
      expect(prompt).toContain(part);
    }
    expect(prompt.indexOf('# This repository')).toBeLessThan(prompt.indexOf('# AGENTS.md'));
  });

  it('tell the planner when no test command is known, and the reviewer what to check', () => {
    expect(systemPrompt('planner', job({ role: 'planner', repoMap: 'a.js' }))).toContain(
      'No test command is known for this repository',
    );
    const review = systemPrompt('reviewer', job({ role: 'reviewer' }));
    expect(review).toContain('`request_changes` only for real problems. Each comment names the file and the line');
    expect(review).not.toContain('# This repository');
  });

  it('refuse to leave a placeholder unfilled', () => {
    expect(() => renderPrompt('You have {{maxSteps}} steps and {{unknown}}.', { maxSteps: 3 })).toThrow(
      'the prompt has a placeholder {{unknown}} with no value',
    );
  });
});
