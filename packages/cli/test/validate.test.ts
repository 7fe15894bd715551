import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodecrewError, TaskSpec } from '@codecrew/core';
import { loadModelScript } from '@codecrew/llm';
import { loadConfig, resolveTask } from '@codecrew/orchestrator';
import { main } from '../src/index.ts';
import type { Io } from '../src/io.ts';

/** Nine levels of nine aliases each: 9^9 values once expanded. */
const BOMB = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]']
  .concat(Array.from({ length: 8 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(', ')}]`))
  .join('\n');
const TASK = 'apiVersion: codecrew/v1\nkind: Task\nmetadata: { name: x }\nspec:\n  repo: { path: . }\n  prompt: go\n';
const BOMB_MESSAGE =
  '(yaml): with its aliases expanded the file holds more than 100000 values; write the values out or repeat them less';

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'codecrew-cli-validate-')), name);
  writeFileSync(file, text);
  return file;
}

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (line) => out.push(line), err: (line) => err.push(line), color: false };
  return { code: await main(argv, io), out, err };
}

describe('codecrew validate on hostile YAML', () => {
  it('refuses a billion-laughs task file: YAML_INVALID at the alias, exit 2', async () => {
    const file = tempFile('bomb.yaml', BOMB);
    expect(await run(['validate', file])).toEqual({
      code: 2,
      out: [],
      err: [`codecrew: error [YAML_INVALID]: ${file} is not valid YAML:\n  ${file}:6:10  ${BOMB_MESSAGE}`],
    });
  });

  it('refuses an undefined alias in a valid task spec: YAML_INVALID at the alias, exit 2', async () => {
    const file = tempFile('task.yaml', `${TASK}  models: *nope\n`);
    expect(await run(['validate', file])).toEqual({
      code: 2,
      out: [],
      err: [
        `codecrew: error [YAML_INVALID]: ${file} is not valid YAML:\n  ${file}:7:11  (yaml): alias *nope refers to no anchor before it (write &nope on a value above it)`,
      ],
    });
  });

  it('refuses a branch git cannot create: SPEC_INVALID at spec.output.branch, exit 2', async () => {
    const file = tempFile('task.yaml', `${TASK}  output: { branch: codecrew/${'a'.repeat(100_000)} }\n`);
    const result = await run(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.err).toEqual([
      `codecrew: error [SPEC_INVALID]: ${file} is not a valid task spec:\n` +
        `  ${file}:7:21  spec.output.branch: not a branch name git can create: it has a part of 100000 bytes between '/'s; git keeps each part as a file name, so at most 246 bytes are allowed`,
    ]);
  });

  it('refuses an alias bomb in the configuration file: YAML_INVALID with its position, exit 2', async () => {
    const config = tempFile('codecrew.yaml', BOMB);
    const task = tempFile('task.yaml', TASK);
    expect(await run(['validate', '--config', config, task])).toEqual({
      code: 2,
      out: [],
      err: [`codecrew: error [YAML_INVALID]: ${config} is not valid YAML:\n  ${config}:6:10  ${BOMB_MESSAGE}`],
    });
    expect(() => loadConfig({ file: tempFile('codecrew.yaml', 'sandbox: *nope\n'), env: {} })).toThrow(
      expect.objectContaining({
        code: 'YAML_INVALID',
        message: expect.stringContaining('codecrew.yaml:1:10  (yaml): alias *nope refers to no anchor'),
      }),
    );
  });

  it('refuses an alias bomb in a model script as YAML_INVALID with its position', () => {
    const script = tempFile('script.yaml', `version: 1\nrules: []\n${BOMB}\n`);
    let caught: unknown;
    try {
      loadModelScript(script);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CodecrewError);
    expect((caught as CodecrewError).code).toBe('YAML_INVALID');
    expect((caught as CodecrewError).message).toBe(`${script} is not valid YAML:\n  ${script}:8:10  ${BOMB_MESSAGE}`);
  });

  it('gives a task without output.branch a default branch that the spec itself would accept', () => {
    const config = loadConfig({ cwd: tmpdir(), env: {} });
    for (const name of ['a', 'x-1', `a${'-'.repeat(61)}z`, '9'.repeat(63)]) {
      const spec = TaskSpec.parse({
        apiVersion: 'codecrew/v1',
        kind: 'Task',
        metadata: { name },
        spec: { repo: { path: '.' }, prompt: 'go' },
      });
      const branch = resolveTask(spec, config, { specDir: tmpdir() }).branch;
      expect(TaskSpec.safeParse({ ...spec, spec: { ...spec.spec, output: { branch } } }).success).toBe(true);
    }
  });
});
