import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { stripThinking } from '../src/runtime/think.ts';
import { parseTextToolCalls } from '../src/runtime/text-tool-calls.ts';
import { defineTool, type ToolDefinition } from '../src/runtime/tool.ts';

const readFile = defineTool({
  name: 'read_file',
  description: 'Read a file',
  schema: z.object({ path: z.string(), offset: z.number().int().optional() }),
  async run() {
    return { kind: 'text', text: '' };
  },
});
const tools = new Map<string, ToolDefinition>([[readFile.name, readFile]]);

describe('stripThinking', () => {
  it('drops <think> blocks, a leading unclosed <think> and reasoning before a lone </think>', () => {
    expect(stripThinking('<think>plan\nmore</think>\n\nThe answer.')).toBe('The answer.');
    expect(stripThinking('A <think>x</think>B<think>y</think>')).toBe('A B');
    expect(stripThinking('  <think>cut off while reasoning')).toBe('');
    expect(stripThinking('opened in the prompt</think>Visible.')).toBe('Visible.');
  });

  it('leaves text without reasoning exactly as it was', () => {
    expect(stripThinking('  plain text with a <think> mention later\n')).toBe(
      '  plain text with a <think> mention later\n',
    );
  });
});

describe('parseTextToolCalls', () => {
  it('reads <tool_call> JSON with arguments as an object or a JSON string, or parameters', () => {
    const text =
      'Reading.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "a.js"}}\n</tool_call>\n' +
      '<tool_call>{"name": "read_file", "arguments": "{\\"path\\": \\"b.js\\"}"}</tool_call>' +
      '<tool_call>{"name": "read_file", "parameters": {"path": "c.js"}}';
    expect(parseTextToolCalls(text, tools)).toEqual({
      calls: [
        { name: 'read_file', args: { path: 'a.js' } },
        { name: 'read_file', args: { path: 'b.js' } },
        { name: 'read_file', args: { path: 'c.js' } },
      ],
      text: 'Reading.',
      unreadable: [],
    });
  });

  it("reads Qwen3-Coder's XML form, typing values as the tool's schema does", () => {
    const text =
      '<tool_call>\n<function=read_file>\n<parameter=path>\nsrc/a.js\n</parameter>\n<parameter=offset>\n40\n</parameter>\n</function>\n</tool_call>';
    expect(parseTextToolCalls(text, tools).calls).toEqual([
      { name: 'read_file', args: { path: 'src/a.js', offset: 40 } },
    ]);
  });

  it('reads a fenced json block only when it names a tool', () => {
    const call = 'Now:\n```json\n{"name": "read_file", "arguments": {"path": "a.js"}}\n```';
    expect(parseTextToolCalls(call, tools)).toEqual({
      calls: [{ name: 'read_file', args: { path: 'a.js' } }],
      text: 'Now:',
      unreadable: [],
    });
    const example = 'The config:\n```json\n{"name": "my-package", "arguments": {"x": 1}}\n```';
    expect(parseTextToolCalls(example, tools)).toEqual({ calls: [], text: example, unreadable: [] });
  });

  it('names a tagged call whose JSON is broken, and reports a block it cannot read at all', () => {
    expect(
      parseTextToolCalls('<tool_call>{"name": "read_file", "arguments": {"path": </tool_call>', tools).calls,
    ).toEqual([{ name: 'read_file', error: expect.stringMatching(/JSON/) as string }]);
    expect(parseTextToolCalls('<tool_call>read a.js please</tool_call>', tools)).toEqual({
      calls: [],
      text: '<tool_call>read a.js please</tool_call>',
      unreadable: ['<tool_call>read a.js please</tool_call>'],
    });
  });
});
