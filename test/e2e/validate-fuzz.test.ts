import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '@codecrew/cli';
import { ROOT } from '../support/cli.ts';
import { fuzzTaskFiles } from '../support/fuzz-tasks.ts';

// The same function the `codecrew` process runs, called in-process: 540 CLI processes would take ~15 minutes.
const CASES = fuzzTaskFiles(readFileSync(join(ROOT, 'examples/tasks/demo.yaml'), 'utf8'), 540, 0x5eed);
const DIR = mkdtempSync(join(tmpdir(), 'codecrew-validate-fuzz-'));
const FILES = CASES.map((fuzz, i) => {
  const dir = join(DIR, String(i));
  mkdirSync(dir);
  const file = join(dir, 'task.yaml');
  writeFileSync(file, fuzz.content);
  return { name: fuzz.name, kind: fuzz.name.slice(4), file };
});

/** Kinds of damage no generated file survives, and what must be named in the error. */
const ALWAYS_REFUSED: Record<string, RegExp> = {
  'alias bomb': /\[(YAML_INVALID|SPEC_INVALID)\]/,
  'many documents': /\[YAML_INVALID\].*\n.*more than one YAML document/,
  'deep nesting': /\[(YAML_INVALID|SPEC_INVALID)\]/,
  'bad branch': /\[SPEC_INVALID\].*\n.*spec\.output\.branch: not a branch name git can create/,
};

async function validate(file: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (line) => out.push(line), err: (line) => err.push(line), color: false };
  const code = await main(['validate', file], io);
  return { code, out, err };
}

describe('codecrew validate on generated bad task files', () => {
  it('generates the same files from the same seed', () => {
    const again = fuzzTaskFiles(readFileSync(join(ROOT, 'examples/tasks/demo.yaml'), 'utf8'), 540, 0x5eed);
    expect(again.map((c) => c.content)).toEqual(CASES.map((c) => c.content));
  });

  // A file that hangs validate fails its own case after the timeout instead of passing.
  it.each(FILES)(
    '$name: exit 0 or 2, a located error and no stack trace',
    { timeout: 10_000 },
    async ({ kind, file }) => {
      const { code, out, err } = await validate(file);
      const printed = [...out, ...err].join('\n');
      expect(printed).not.toContain('unexpected error');
      expect(printed).not.toMatch(/^\s+at \S/m);
      expect([0, 2]).toContain(code);
      const refused = ALWAYS_REFUSED[kind];
      if (refused) {
        expect(code).toBe(2);
        expect(err.join('\n')).toMatch(refused);
      }
      if (code === 0) {
        expect(err).toEqual([]);
        expect(out).toEqual([expect.stringMatching(/^\S+: valid \(code task "[a-z0-9-]+" on \S+\)$/)]);
      } else {
        expect(out).toEqual([]);
        expect(err).toHaveLength(1);
        expect(err[0]).toMatch(
          /^codecrew: error \[(YAML_INVALID|SPEC_INVALID)\]: \S+ is not (valid YAML|a valid task spec):\n/,
        );
        // Every problem is located at file:line:column.
        const problems = (err[0] as string)
          .split('\n')
          .slice(1)
          .filter((line) => !line.startsWith('  ... and '));
        expect(problems.length).toBeGreaterThan(0);
        for (const line of problems)
          expect(line.startsWith(`  ${file}:`) && /^ {2}\S+:\d+:\d+ {2}\S/.test(line)).toBe(true);
      }
    },
  );

  it('covers each kind of damage, and most files are refused', async () => {
    const kinds = new Set(CASES.map((c) => c.name.slice(4)));
    expect([...kinds].sort()).toEqual(
      [
        'alias bomb',
        'bad branch',
        'binary bytes',
        'deep nesting',
        'huge string',
        'many documents',
        'mutated lines',
        'oddities',
        'wrong type',
      ].sort(),
    );
    let refused = 0;
    for (const { file } of FILES.slice(0, 90)) if ((await validate(file)).code === 2) refused += 1;
    expect(refused).toBeGreaterThan(60);
  });
});
