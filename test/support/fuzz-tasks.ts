/**
 * Generated bad task files for fuzzing `codecrew validate`: mutated lines of a
 * real task file, wrong types, huge strings, binary bytes, deep nesting, alias
 * bombs, many documents, bad branch names. Seeded, so every run makes the same files.
 */

/** One generated file: a short description and its bytes. */
export interface FuzzCase {
  name: string;
  content: string | Buffer;
}

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;

const int = (rnd: Random, min: number, max: number): number => min + Math.floor(rnd() * (max - min + 1));
const pick = <T>(rnd: Random, items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;

const WRONG_VALUES = [
  '42',
  '-1',
  '0',
  '3.5',
  '1e400',
  '.inf',
  '.nan',
  '0x1F',
  'true',
  'null',
  '~',
  '[]',
  '[1, 2]',
  '{}',
  '{a: 1}',
  '"text"',
  "''",
  '!!binary AAAA',
  '!!set {a}',
  '!foo bar',
  '2001-12-14',
  '|\n  block',
  '>-\n  folded',
  '&a',
  '*a',
  '@x',
  '`x`',
  '%x',
];
const NOISE = [
  ':',
  '{',
  '}',
  '[',
  ']',
  '&',
  '*',
  '!',
  '|',
  '>',
  "'",
  '"',
  '%',
  '@',
  '`',
  '-',
  '#',
  ',',
  '?',
  '\t',
  '\\',
  '\u0000',
  '\u001b',
  '\ufeff',
  'é',
  '\u2028',
];
const BAD_BRANCHES = [
  '-x',
  'HEAD',
  'a b',
  'a..b',
  'a~1',
  'a^',
  'a:b',
  'a?',
  'a*',
  'a[b',
  'a\\\\b',
  'a@{b',
  'a.',
  '/a',
  'a/',
  'a//b',
  'a/.b',
  'a.lock',
  'x/y.lock/z',
];

/** Replaces the value of the first `key:` line (at any indentation) of `lines`; false when there is none. */
function replaceValue(lines: string[], key: string, value: string): boolean {
  const index = lines.findIndex((line) => new RegExp(`^\\s*${key}:`).test(line));
  if (index < 0) return false;
  const line = lines[index] as string;
  lines[index] = `${line.slice(0, line.indexOf(':') + 1)} ${value}`;
  return true;
}

const KEYS = [
  'apiVersion',
  'kind',
  'metadata',
  'name',
  'spec',
  'repo',
  'mode',
  'prompt',
  'models',
  'parallelism',
  'review',
  'output',
];

function mutateLines(rnd: Random, lines: string[]): string {
  const out = [...lines];
  for (let n = int(rnd, 1, 3); n > 0 && out.length > 0; n -= 1) {
    const i = int(rnd, 0, out.length - 1);
    const line = out[i] as string;
    switch (int(rnd, 0, 6)) {
      case 0:
        out.splice(i, 1);
        break;
      case 1:
        out.splice(i, 0, line);
        break;
      case 2: {
        const j = int(rnd, 0, out.length - 1);
        out[i] = out[j] as string;
        out[j] = line;
        break;
      }
      case 3:
        out[i] = rnd() < 0.5 ? `${' '.repeat(int(rnd, 1, 5))}${line}` : line.replace(/^\s+/, rnd() < 0.5 ? '' : '\t');
        break;
      case 4:
        out[i] = line.slice(0, int(rnd, 0, line.length));
        break;
      case 5: {
        const at = int(rnd, 0, line.length);
        out[i] = `${line.slice(0, at)}${pick(rnd, NOISE)}${line.slice(at)}`;
        break;
      }
      default:
        out[i] = line.includes(':')
          ? `${line.slice(0, line.indexOf(':') + 1)} ${pick(rnd, WRONG_VALUES)}`
          : `${pick(rnd, KEYS)}: ${line}`;
    }
  }
  return out.join('\n');
}

function wrongType(rnd: Random, lines: string[]): string {
  const out = [...lines];
  if (!replaceValue(out, pick(rnd, KEYS), pick(rnd, WRONG_VALUES))) out.push(`extra: ${pick(rnd, WRONG_VALUES)}`);
  return out.join('\n');
}

function hugeString(rnd: Random, lines: string[]): string {
  const out = [...lines];
  const size = pick(rnd, [10_000, 100_000, 1_000_000, 2_000_000]);
  const letters = pick(rnd, ['a', 'xyz ', 'é', '\\u0000'])
    .repeat(Math.ceil(size / 4))
    .slice(0, size);
  switch (int(rnd, 0, 3)) {
    case 0:
      replaceValue(out, 'prompt', JSON.stringify(letters));
      break;
    case 1:
      replaceValue(out, 'name', letters.replace(/[^a-z]/g, 'a'));
      break;
    case 2:
      out.push(`${letters.replace(/[^a-z]/g, 'k').slice(0, int(rnd, 1000, 5000))}: 1`);
      break;
    default:
      replaceValue(out, 'output', `{ branch: codecrew/${letters.replace(/[^a-z]/g, 'b')} }`);
  }
  return out.join('\n');
}

function binary(rnd: Random, text: string): Buffer {
  if (rnd() < 0.25) return Buffer.from(Array.from({ length: int(rnd, 1, 4096) }, () => int(rnd, 0, 255)));
  const bytes = [...Buffer.from(text)];
  for (let n = int(rnd, 1, 20); n > 0; n -= 1)
    bytes.splice(int(rnd, 0, bytes.length), rnd() < 0.5 ? 1 : 0, int(rnd, 0, 255));
  return Buffer.from(bytes);
}

function deepNesting(rnd: Random, lines: string[]): string {
  const depth = pick(rnd, [50, 500, 2000, 20_000, 100_000]);
  const closed = rnd() < 0.6;
  let value: string;
  switch (int(rnd, 0, 2)) {
    case 0:
      value = `${'['.repeat(depth)}${closed ? ']'.repeat(depth) : ''}`;
      break;
    case 1:
      value = `${'{a: '.repeat(depth)}1${closed ? '}'.repeat(depth) : ''}`;
      break;
    default: {
      const block = Array.from({ length: Math.min(depth, 3000) }, (_, i) => `${' '.repeat(2 * (i + 1))}k${i}:`).join(
        '\n',
      );
      return [...lines, `deep:\n${block} 1`].join('\n');
    }
  }
  const out = [...lines];
  if (!replaceValue(out, pick(rnd, ['models', 'labels', 'spec', 'prompt', 'review']), value))
    out.push(`deep: ${value}`);
  return out.join('\n');
}

function aliasBomb(rnd: Random, lines: string[]): string {
  const out = [...lines];
  const kind = int(rnd, 0, 4);
  if (kind === 0) {
    replaceValue(out, pick(rnd, ['models', 'review', 'mode', 'prompt']), `*${pick(rnd, ['nope', 'x', 'a b'])}`);
    return out.join('\n');
  }
  if (kind === 1) return [...out, `loop: &loop [1, {a: *loop}]`].join('\n');
  if (kind === 2)
    return [
      ...out,
      'one: &one 1',
      `many: [${Array(int(rnd, 900, 3000))
        .fill('*one')
        .join(', ')}]`,
    ].join('\n');
  // A billion-laughs ladder, at the top or under metadata.labels, of random depth and width.
  const levels = int(rnd, 3, 10);
  const width = int(rnd, 3, 12);
  const indent = kind === 3 ? '' : '    ';
  const ladder = [`${indent}l0: &l0 [${Array(width).fill('lol').join(', ')}]`];
  for (let level = 1; level < levels; level += 1) {
    ladder.push(
      `${indent}l${level}: &l${level} [${Array(width)
        .fill(`*l${level - 1}`)
        .join(', ')}]`,
    );
  }
  if (kind === 3) return [...out, ...ladder].join('\n');
  const at = out.findIndex((line) => /^metadata:/.test(line));
  out.splice(at + 1, 0, '  labels:', ...ladder);
  return out.join('\n');
}

function manyDocuments(rnd: Random, text: string): string {
  const count = pick(rnd, [2, 3, 10, 200, 2000]);
  const separator = pick(rnd, ['---\n', '...\n---\n', '--- !x\n', '---\n%YAML 1.2\n']);
  return Array(count).fill(text).join(separator);
}

function badBranch(rnd: Random, lines: string[]): string {
  const out = [...lines];
  const branch = rnd() < 0.2 ? `codecrew/${'x'.repeat(int(rnd, 247, 5000))}` : pick(rnd, BAD_BRANCHES);
  replaceValue(out, 'output', `{ branch: "${branch}" }`);
  return out.join('\n');
}

function oddities(rnd: Random, text: string, lines: string[]): string {
  switch (int(rnd, 0, 7)) {
    case 0:
      return `\ufeff${text}`;
    case 1:
      return text.replace(/\n/g, '\r\n');
    case 2:
      return text.replace(/^( +)/gm, (spaces) => '\t'.repeat(spaces.length / 2));
    case 3:
      return `${text}\n__proto__: { polluted: true }\nconstructor: 1\n`;
    case 4:
      return `${text}\nkind: Task\n`;
    case 5:
      return pick(rnd, ['', '\n', '# only a comment\n', '---\n', '...\n', 'null\n', '[]\n', '"just a string"\n']);
    case 6:
      return lines.map((line) => line.replace(/[a-z]/g, (c) => (rnd() < 0.05 ? c.toUpperCase() : c))).join('\n');
    default:
      return `%YAML 1.1\n%TAG ! tag:x,2000:\n---\n${text}`;
  }
}

/**
 * `count` bad (or occasionally still valid) task files made from `base`,
 * the text of a valid task file; the same `seed` gives the same files.
 */
export function fuzzTaskFiles(base: string, count: number, seed: number): FuzzCase[] {
  const rnd = seededRandom(seed);
  const lines = base.split('\n');
  const makers: Array<[string, () => string | Buffer]> = [
    ['mutated lines', () => mutateLines(rnd, lines)],
    ['wrong type', () => wrongType(rnd, lines)],
    ['huge string', () => hugeString(rnd, lines)],
    ['binary bytes', () => binary(rnd, base)],
    ['deep nesting', () => deepNesting(rnd, lines)],
    ['alias bomb', () => aliasBomb(rnd, lines)],
    ['many documents', () => manyDocuments(rnd, base)],
    ['bad branch', () => badBranch(rnd, lines)],
    ['oddities', () => oddities(rnd, base, lines)],
  ];
  return Array.from({ length: count }, (_, i) => {
    const [kind, make] = makers[i % makers.length] as [string, () => string | Buffer];
    return { name: `${String(i).padStart(3, '0')} ${kind}`, content: make() };
  });
}
