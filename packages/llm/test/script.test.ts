import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CodecrewError } from '@codecrew/core';
import { loadModelScript } from '@codecrew/llm';

const dir = mkdtempSync(join(tmpdir(), 'codecrew-llm-script-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function loadError(file: string): CodecrewError {
  try {
    loadModelScript(file);
  } catch (error) {
    if (error instanceof CodecrewError) return error;
    throw error;
  }
  throw new Error(`${file} loaded without error`);
}

describe('loadModelScript', () => {
  it('loads a valid script and fills in defaults', () => {
    const script = loadModelScript(fileURLToPath(new URL('./fixtures/crew.yaml', import.meta.url)));
    expect(script.usage).toEqual({ prompt_tokens: 800, completion_tokens: 120 });
    expect(script.rules.map((rule) => rule.match)).toEqual([
      { agent: 'planner' },
      { agent: 'coder', subtask: 's1' },
      { agent: 'reviewer' },
    ]);
    expect(script.rules[1]?.replies[1]).toEqual({
      tool_calls: [{ name: 'finish', args: { summary: 'Added slugify' } }],
      usage: { completion_tokens: 7 },
    });
  });

  it('gives latency, usage and match their defaults', () => {
    const file = write('minimal.yaml', 'version: 1\nrules:\n  - replies:\n      - content: hi\n');
    expect(loadModelScript(file)).toEqual({
      version: 1,
      latency_ms: 0,
      usage: { prompt_tokens: 0, completion_tokens: 0 },
      strict: true,
      rules: [{ match: {}, replies: [{ content: 'hi' }] }],
    });
  });

  it('names file, line, column and field of an unknown key', () => {
    const file = write(
      'unknown.yaml',
      'version: 1\nrules:\n  - match: { agent: coder, subtsk: s1 }\n    replies:\n      - content: hi\n',
    );
    const error = loadError(file);
    expect(error.code).toBe('SCRIPT_INVALID');
    expect(error.message).toBe(
      `${file} is not a valid model script (format v1, see docs/scripted-model.md):\n  ${file}:3:28  rules[0].match: unknown field(s) "subtsk"`,
    );
  });

  it('rejects a reply without an answer, a bad regex and an impossible status', () => {
    const file = write(
      'bad.yaml',
      [
        'version: 1',
        'rules:',
        '  - match: { last_message: "(" }',
        '    replies:',
        '      - latency_ms: 5',
        '      - error: { status: 200 }',
      ].join('\n'),
    );
    const error = loadError(file);
    expect(error.details?.issues).toEqual([
      {
        file,
        line: 3,
        column: 28,
        path: 'rules[0].match.last_message',
        message: 'not a valid JavaScript regular expression',
      },
      {
        file,
        line: 5,
        column: 9,
        path: 'rules[0].replies[0]',
        message: 'a reply needs content, tool_calls, error or stream_cut: true',
      },
      {
        file,
        line: 6,
        column: 26,
        path: 'rules[0].replies[1].error.status',
        message: 'Too small: expected number to be >=400',
      },
    ]);
  });

  it('refuses other versions and an error mixed with content', () => {
    const file = write(
      'version.yaml',
      'version: 2\nrules:\n  - replies:\n      - { content: hi, error: { status: 500 } }\n',
    );
    expect(loadError(file).details?.issues).toEqual([
      {
        file,
        line: 1,
        column: 10,
        path: 'version',
        message: 'only version 1 of the script format exists: write "version: 1"',
      },
      {
        file,
        line: 4,
        column: 31,
        path: 'rules[0].replies[0].error',
        message: 'error answers alone: drop content, tool_calls, finish_reason and stream_cut',
      },
    ]);
  });

  it('reports a missing file with FILE_NOT_FOUND', () => {
    expect(loadError(join(dir, 'missing.yaml')).code).toBe('FILE_NOT_FOUND');
  });
});

describe('docs/scripted-model.md', () => {
  it('shows an example script that loads', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../docs/scripted-model.md', import.meta.url)), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example?.startsWith('version: 1\n')).toBe(true);
    const script = loadModelScript(write('docs-example.yaml', example ?? ''));
    expect(script.rules.map((rule) => rule.match)).toEqual([
      { agent: 'planner' },
      { agent: 'coder', subtask: 's1' },
      { agent: 'tester', last_message: '"exit_code":\\s*[1-9]' },
      { agent: 'reviewer' },
    ]);
  });
});
