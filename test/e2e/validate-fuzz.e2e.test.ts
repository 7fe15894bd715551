import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDirFor } from '../support/cli.ts';
import { fuzzTaskFiles } from '../support/fuzz-tasks.ts';

const DEMO = readFileSync(join(ROOT, 'examples/tasks/demo.yaml'), 'utf8');
const BOMB = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]']
  .concat(Array.from({ length: 8 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(', ')}]`))
  .join('\n');

// A few of validate-fuzz.test.ts's files through the real process: the same answers, nothing lost on the way out.
const generated = fuzzTaskFiles(DEMO, 540, 0x5eed);
const CASES: Array<{ name: string; content: string | Buffer; error: RegExp }> = [
  {
    name: 'a billion-laughs file',
    content: BOMB,
    error:
      /^codecrew: error \[YAML_INVALID\]: \S+ is not valid YAML:\n {2}\S+:6:10 {2}\(yaml\): with its aliases expanded/,
  },
  {
    name: 'a 100,000-letter branch',
    content: DEMO.replace('branch: codecrew/textkit-slug-title', `branch: codecrew/${'a'.repeat(100_000)}`),
    error:
      /^codecrew: error \[SPEC_INVALID\]: \S+ is not a valid task spec:\n {2}\S+:21:21 {2}spec\.output\.branch: not a branch name git can create: it has a part of 100000 bytes/,
  },
  {
    name: 'an undefined alias',
    content: DEMO.replace('parallelism: 2', 'parallelism: *nope'),
    error:
      /^codecrew: error \[YAML_INVALID\]: \S+ is not valid YAML:\n {2}\S+:19:16 {2}\(yaml\): alias \*nope refers to no anchor/,
  },
  ...[4, 6].map((i) => {
    const fuzz = generated[i] as { name: string; content: string | Buffer };
    return {
      name: `generated ${fuzz.name}`,
      content: fuzz.content,
      error:
        /^codecrew: error \[(YAML|SPEC)_INVALID\]: \S+ is not (valid YAML|a valid task spec):\n {2}\S+:\d+:\d+ {2}\S/,
    };
  }),
];

describe('codecrew validate, the real process, on hostile task files', () => {
  it.each(CASES)('$name: exit 2 with a located error, no stack trace', async ({ content, error }) => {
    const dir = await tempDirFor('validate fuzz');
    const file = join(dir, 'task.yaml');
    await writeFile(file, content);
    const run = await runCli(['validate', file], { timeoutMs: 60_000 });
    expect(run.stderr).not.toContain('unexpected error');
    expect(run.stderr).not.toMatch(/^\s+at \S/m);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(error);
  });
});
