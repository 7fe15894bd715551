import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { CodecrewError, type ErrorCode } from './errors.ts';

/** One problem found in a YAML file, located by line and column (1-based). */
export interface YamlIssue {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

function locate(doc: Document, counter: LineCounter, path: PropertyKey[]): { line: number; col: number } {
  // Walk up until a node exists: a missing key is reported at its parent.
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

function locateKey(doc: Document, counter: LineCounter, path: PropertyKey[], key: string): { line: number; col: number } | null {
  const parent = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
  if (!isMap(parent)) return null;
  const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key);
  const range = pair && isNode(pair.key) ? pair.key.range : undefined;
  return range ? counter.linePos(range[0]) : null;
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
    return `required field is missing (expected ${issue.expected})`;
  }
  return issue.message;
}

/**
 * Parses YAML text and validates it with a zod schema. Errors name the file,
 * line, column and field path, and say what was expected.
 */
export function parseYamlWith<S extends z.ZodType>(
  text: string,
  schema: S,
  file: string,
  code: ErrorCode = 'SPEC_INVALID',
): z.infer<S> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues: YamlIssue[] = doc.errors.map((err) => {
      const pos = counter.linePos(err.pos[0]);
      return { file, line: pos.line, column: pos.col, path: '(yaml)', message: err.message.split('\n')[0] ?? err.message };
    });
    throw new CodecrewError('YAML_INVALID', formatIssues(`${file} is not valid YAML`, issues), { details: { issues } });
  }
  const result = schema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const issues: YamlIssue[] = result.error.issues.map((issue) => {
    const path = issue.path as PropertyKey[];
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const pos = (unknownKey !== undefined ? locateKey(doc, counter, path, unknownKey) : null) ?? locate(doc, counter, path);
    return { file, line: pos.line, column: pos.col, path: formatPath(path), message: describeIssue(issue) };
  });
  throw new CodecrewError(code, formatIssues(`${file} is not a valid ${code === 'CONFIG_INVALID' ? 'config' : 'task spec'}`, issues), {
    details: { issues },
  });
}

/** Reads a YAML file and validates it; see {@link parseYamlWith}. */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S, code: ErrorCode = 'SPEC_INVALID'): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CodecrewError('FILE_NOT_FOUND', `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  return parseYamlWith(text, schema, file, code);
}

function formatIssues(headline: string, issues: YamlIssue[]): string {
  const lines = issues.map((i) => `  ${i.file}:${i.line}:${i.column}  ${i.path}: ${i.message}`);
  return [`${headline}:`, ...lines].join('\n');
}

/** The 1-based line and column of a field path in YAML text, or null when the path is absent. */
export function yamlPositionOf(text: string, path: PropertyKey[]): { line: number; column: number } | null {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  const node = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
  if (!isNode(node) || !node.range) return null;
  const pos = counter.linePos(node.range[0]);
  return { line: pos.line, column: pos.col };
}
