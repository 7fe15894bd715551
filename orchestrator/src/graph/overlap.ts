import type { Plan } from '@codecrew/core';

/** A subtask held back until another finishes, because both may touch the same files. */
export interface Ordering {
  subtaskId: string;
  after: string;
  reason: string;
}

const WILDCARD = /[*?[{]/;

function staticPrefix(glob: string): string {
  const index = glob.search(WILDCARD);
  return index === -1 ? glob : glob.slice(0, index);
}

/**
 * Whether two file globs may name the same file. Exact for plain paths;
 * conservative for wildcards: they may overlap when one's fixed prefix starts
 * the other's.
 */
export function globsOverlap(a: string, b: string): boolean {
  const [pa, pb] = [staticPrefix(a), staticPrefix(b)];
  const aWild = pa !== a;
  const bWild = pb !== b;
  if (!aWild && !bWild) return a === b;
  if (aWild && bWild) return pa.startsWith(pb) || pb.startsWith(pa);
  const [wild, plain] = aWild ? [pa, b] : [pb, a];
  return plain.startsWith(wild);
}

/**
 * Orders subtasks whose files overlap and that do not already depend on each
 * other: the later one in plan order waits for the earlier one.
 */
export function overlapOrdering(plan: Plan): Ordering[] {
  const dependsOn = (from: string, to: string, seen = new Set<string>()): boolean => {
    if (seen.has(from)) return false;
    seen.add(from);
    const subtask = plan.subtasks.find((s) => s.id === from);
    return (subtask?.depends_on ?? []).some((dep) => dep === to || dependsOn(dep, to, seen));
  };
  const orderings: Ordering[] = [];
  plan.subtasks.forEach((later, index) => {
    for (const earlier of plan.subtasks.slice(0, index)) {
      if (dependsOn(later.id, earlier.id) || dependsOn(earlier.id, later.id)) continue;
      const shared = later.files.flatMap((a) =>
        earlier.files.filter((b) => globsOverlap(a, b)).map((b) => (a === b ? a : `${a} / ${b}`)),
      );
      if (shared.length === 0) continue;
      orderings.push({
        subtaskId: later.id,
        after: earlier.id,
        reason: `both may touch ${[...new Set(shared)].join(', ')}`,
      });
    }
  });
  return orderings;
}
