import { describe, expect, it } from 'vitest';
import { globsOverlap, overlapOrdering } from '../src/graph/overlap.ts';

const subtask = (id: string, files: string[], depends_on: string[] = []) => ({
  id,
  title: id,
  description: '',
  files,
  depends_on,
});

describe('overlapping files', () => {
  it('tells which globs may name the same file', () => {
    expect(globsOverlap('src/a.js', 'src/a.js')).toBe(true);
    expect(globsOverlap('src/a.js', 'src/b.js')).toBe(false);
    expect(globsOverlap('src/**', 'src/a.js')).toBe(true);
    expect(globsOverlap('src/a/**', 'src/b/**')).toBe(false);
    expect(globsOverlap('test/*.test.js', 'src/a.js')).toBe(false);
  });

  it('orders the later of two overlapping, independent subtasks after the earlier one', () => {
    const plan = {
      summary: 's',
      subtasks: [
        subtask('a', ['src/a.js', 'src/index.js']),
        subtask('b', ['src/b.js']),
        subtask('c', ['src/**']),
        subtask('d', ['src/index.js'], ['a']),
      ],
    };
    expect(overlapOrdering(plan)).toEqual([
      { subtaskId: 'c', after: 'a', reason: 'both may touch src/** / src/a.js, src/** / src/index.js' },
      { subtaskId: 'c', after: 'b', reason: 'both may touch src/** / src/b.js' },
      { subtaskId: 'd', after: 'c', reason: 'both may touch src/index.js / src/**' },
    ]);
  });
});
