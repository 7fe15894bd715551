import { readFileSync } from 'node:fs';
import {
  LineCounter,
  parseDocument,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  visit,
  type Alias,
  type Document,
  type Node,
} from 'yaml';
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

/**
 * Most values a YAML file may hold once its aliases are expanded. Far above
 * any real task, config or script; a "billion laughs" file stops here.
 */
export const MAX_YAML_VALUES = 100_000;

/**
 * Most aliases (`*name`) a YAML file may use. Real files use a handful; the
 * yaml package resolves each alias in time linear in the file, so this bounds the work.
 */
export const MAX_YAML_ALIASES = 1000;

/** Problems listed one by one in an error message; the rest are counted. */
const MAX_LISTED_ISSUES = 50;

function locate(doc: Document, counter: LineCounter, path: PropertyKey[]): { line: number; col: number } {
  // Walk up until a node exists: a missing key is reported at its parent.
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

function locateKey(
  doc: Document,
  counter: LineCounter,
  path: PropertyKey[],
  key: string,
): { line: number; col: number } | null {
  const parent = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
  if (!isMap(parent)) return null;
  const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key);
  const range = pair && isNode(pair.key) ? pair.key.range : undefined;
  return range ? counter.linePos(range[0]) : null;
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
    return `required field is missing (expected ${issue.expected})`;
  }
  return issue.message;
}

/** A YAML problem at `offset` in the text (or at the start of the file). */
function yamlIssue(file: string, counter: LineCounter, offset: number | undefined, message: string): YamlIssue {
  const pos = offset === undefined ? { line: 1, col: 1 } : counter.linePos(offset);
  return { file, line: pos.line, column: pos.col, path: '(yaml)', message };
}

function yamlInvalid(file: string, issues: YamlIssue[]): CodecrewError {
  return new CodecrewError('YAML_INVALID', formatIssues(`${file} is not valid YAML`, issues), { details: { issues } });
}

/** The parser's messages, reworded where they speak to programmers rather than to users. */
function parserMessage(code: string, message: string): string {
  const first = message.split('\n')[0] ?? message;
  if (code === 'MULTIPLE_DOCS') return 'the file holds more than one YAML document (a second "---"); keep one';
  if (/call stack/i.test(first)) return 'values are nested too deeply';
  return first;
}

function recursive(alias: Alias): string {
  return `alias *${alias.source} refers to a value that contains it; recursive values are not supported`;
}

/**
 * Checks every alias of `doc` before it is turned into data: each refers to
 * an anchor set before it, none to a node that contains it, and all of them
 * expanded make at most {@link MAX_YAML_VALUES} values. Linear in the size
 * of the document (expanded sizes are counted once per anchored node).
 */
function checkAliases(doc: Document, counter: LineCounter, file: string): void {
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  let stop: Alias | undefined;
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target === undefined || targets.size === MAX_YAML_ALIASES) {
          stop = node;
          return visit.BREAK;
        }
        targets.set(node, target);
      } else if (node.anchor !== undefined) {
        anchors.set(node.anchor, node);
      }
      return undefined;
    },
  });
  const fail = (node: Node, message: string): never => {
    throw yamlInvalid(file, [yamlIssue(file, counter, node.range?.[0], message)]);
  };
  if (stop && !anchors.has(stop.source))
    fail(stop, `alias *${stop.source} refers to no anchor before it (write &${stop.source} on a value above it)`);
  if (stop) fail(stop, `more than ${MAX_YAML_ALIASES} aliases (*name) in one file; write the values out`);
  if (targets.size === 0) return;

  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  // The number of values `node` stands for once every alias in it is expanded (capped just above the limit).
  const sizeOf = (node: unknown): number => {
    if (isAlias(node)) {
      const target = targets.get(node) as Node;
      if (open.has(target)) fail(node, recursive(node));
      return sizeOf(target);
    }
    if (isPair(node)) return Math.min(sizeOf(node.key) + sizeOf(node.value), MAX_YAML_VALUES + 1);
    if (!isCollection(node)) return isNode(node) ? 1 : 0;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    open.add(node);
    let size = 1;
    for (const item of node.items) {
      size = Math.min(size + sizeOf(item), MAX_YAML_VALUES + 1);
      if (size > MAX_YAML_VALUES) break;
    }
    open.delete(node);
    sizes.set(node, size);
    return size;
  };
  // Walk in document order, so that the error points at the first alias that is recursive or goes over the limit.
  // An alias refers to a value before it: either one that contains it (recursive) or one already walked.
  const ancestors = new Set<Node>();
  let total = 0;
  const count = (node: Node, values: number): void => {
    total += values;
    if (total > MAX_YAML_VALUES) {
      fail(
        node,
        `with its aliases expanded the file holds more than ${MAX_YAML_VALUES} values; write the values out or repeat them less`,
      );
    }
  };
  const walk = (node: unknown): void => {
    if (isPair(node)) {
      walk(node.key);
      walk(node.value);
    } else if (isAlias(node)) {
      if (ancestors.has(targets.get(node) as Node)) fail(node, recursive(node));
      count(node, sizeOf(node));
    } else if (isCollection(node)) {
      count(node, 1);
      ancestors.add(node);
      for (const item of node.items) walk(item);
      ancestors.delete(node);
    } else if (isNode(node)) {
      count(node, 1);
    }
  };
  walk(doc.contents);
}

/** Parses YAML text into a document and its plain data, or throws YAML_INVALID with positions. */
function readYaml(text: string, file: string): { doc: Document; counter: LineCounter; value: unknown } {
  const counter = new LineCounter();
  try {
    const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const issues = doc.errors.map((err) =>
        yamlIssue(file, counter, err.pos[0], parserMessage(err.code, err.message)),
      );
      // The parser may report the same problem twice at one place (deep nesting does).
      const unique = new Map(issues.map((issue) => [`${issue.line}:${issue.column}:${issue.message}`, issue]));
      throw yamlInvalid(file, [...unique.values()]);
    }
    checkAliases(doc, counter, file);
    // checkAliases bounded the expansion exactly, in linear time. yaml's own alias counter
    // (maxAliasCount) is a rougher guess that walks the whole document again for each
    // alias it meets inside an anchored value, so it is turned off.
    return { doc, counter, value: doc.toJS({ maxAliasCount: -1 }) };
  } catch (error) {
    if (error instanceof CodecrewError) throw error;
    const message =
      error instanceof RangeError ? 'values are nested too deeply' : `cannot be read: ${(error as Error).message}`;
    throw yamlInvalid(file, [yamlIssue(file, counter, undefined, message)]);
  }
}

/**
 * Parses YAML text into plain data (null for an empty file), or throws
 * `YAML_INVALID` naming the file, line and column; see {@link parseYamlWith}.
 */
export function parseYaml(text: string, file: string): unknown {
  return readYaml(text, file).value;
}

/**
 * Parses YAML text and validates it with a zod schema. Errors name the file,
 * line, column and field path, and say what was expected; YAML that is
 * malformed, holds several documents, or has aliases that are undefined,
 * recursive or expand past {@link MAX_YAML_VALUES} values is `YAML_INVALID`.
 */
export function parseYamlWith<S extends z.ZodType>(
  text: string,
  schema: S,
  file: string,
  code: ErrorCode = 'SPEC_INVALID',
): z.infer<S> {
  const { doc, counter, value } = readYaml(text, file);
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: YamlIssue[] = result.error.issues.slice(0, MAX_LISTED_ISSUES).map((issue) => {
    const path = issue.path as PropertyKey[];
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const pos =
      (unknownKey !== undefined ? locateKey(doc, counter, path, unknownKey) : null) ?? locate(doc, counter, path);
    return { file, line: pos.line, column: pos.col, path: formatPath(path), message: describeIssue(issue) };
  });
  const headline = `${file} is not a valid ${code === 'CONFIG_INVALID' ? 'config' : 'task spec'}`;
  throw new CodecrewError(code, formatIssues(headline, issues, result.error.issues.length), { details: { issues } });
}

/** Reads a YAML file and validates it; see {@link parseYamlWith}. */
export function loadYamlFile<S extends z.ZodType>(
  file: string,
  schema: S,
  code: ErrorCode = 'SPEC_INVALID',
): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CodecrewError('FILE_NOT_FOUND', `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  return parseYamlWith(text, schema, file, code);
}

function formatIssues(headline: string, issues: YamlIssue[], total = issues.length): string {
  const listed = issues.slice(0, MAX_LISTED_ISSUES);
  const lines = listed.map((i) => `  ${i.file}:${i.line}:${i.column}  ${i.path}: ${i.message}`);
  if (total > listed.length) lines.push(`  ... and ${total - listed.length} more`);
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
