/** Undoes git's C-style quoting of a path ("a/b\tc" with octal escapes). */
function unquote(path: string): string {
  if (!(path.startsWith('"') && path.endsWith('"') && path.length >= 2)) return path;
  const body = path.slice(1, -1);
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '"': 34, '\\': 92 };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? '';
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The path part of a `---`/`+++` header: quotes undone, a trailing tab-separated timestamp dropped. */
function headerPath(rest: string): string {
  const value = rest.startsWith('"') ? rest.slice(0, rest.indexOf('"', 1) + 1) : (rest.split('\t')[0] ?? '');
  return unquote(value.trimEnd());
}

/** Paths a unified diff names, and the `-p` level `git apply` needs for it. */
export interface PatchPaths {
  strip: 0 | 1;
  paths: string[];
}

/**
 * Every path named in a unified diff's headers (`---`, `+++`, `diff --git`,
 * rename/copy lines), with the a/ b/ prefixes removed when the diff uses them.
 */
export function patchPaths(patch: string): PatchPaths {
  const minus: string[] = [];
  const plus: string[] = [];
  const gitPairs: string[] = [];
  const plain: string[] = [];
  // Lines still expected in the current hunk, so hunk content is never read as a header.
  let oldLeft = 0;
  let newLeft = 0;
  for (const line of patch.split('\n').map((l) => l.replace(/\r$/, ''))) {
    if (oldLeft > 0 || newLeft > 0) {
      const kind = line[0] ?? ' ';
      if (kind === '\\') continue;
      if (kind === ' ' || kind === '-' || line === '') oldLeft--;
      if (kind === ' ' || kind === '+' || line === '') newLeft--;
      if (kind === ' ' || kind === '-' || kind === '+' || line === '') continue;
      oldLeft = 0;
      newLeft = 0;
    }
    const hunk = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line);
    if (hunk !== null) {
      oldLeft = Number(hunk[1] ?? '1');
      newLeft = Number(hunk[2] ?? '1');
      continue;
    }
    if (line.startsWith('diff --git ')) {
      const rest = line.slice('diff --git '.length);
      // Paths with spaces make the split ambiguous: check every candidate.
      let at = rest.indexOf(' b/');
      while (at !== -1) {
        gitPairs.push(unquote(rest.slice(0, at)), unquote(rest.slice(at + 1)));
        at = rest.indexOf(' b/', at + 1);
      }
      if (rest.startsWith('"')) gitPairs.push(...rest.split(/(?<=")\s+(?=")/).map(unquote));
      continue;
    }
    if (line.startsWith('--- ')) minus.push(headerPath(line.slice(4)));
    else if (line.startsWith('+++ ')) plus.push(headerPath(line.slice(4)));
    else {
      const m = /^(?:rename|copy) (?:from|to) (.+)$/.exec(line);
      if (m?.[1] !== undefined) plain.push(unquote(m[1]));
    }
  }
  const real = (p: string): boolean => p !== '/dev/null';
  const prefixed =
    gitPairs.length > 0 ||
    ([...minus, ...plus].some(real) &&
      minus.filter(real).every((p) => p.startsWith('a/')) &&
      plus.filter(real).every((p) => p.startsWith('b/')));
  const strip = prefixed ? 1 : 0;
  const dropPrefix = (p: string): string => (strip === 1 ? p.replace(/^[^/]*\//, '') : p);
  const paths = [...minus, ...plus, ...gitPairs].filter(real).map(dropPrefix).concat(plain);
  return { strip, paths: [...new Set(paths)] };
}
