import type { Plan } from './plan.ts';

/**
 * Checks that a plan is a usable DAG: at least one subtask, unique ids, known
 * dependencies, no cycles. Returns one sentence per problem; empty when valid.
 */
export function validatePlan(plan: Plan): string[] {
  const problems: string[] = [];
  if (plan.subtasks.length === 0) problems.push('the plan has no subtasks; give at least one');
  const ids = new Set<string>();
  for (const subtask of plan.subtasks) {
    if (ids.has(subtask.id)) problems.push(`subtask id "${subtask.id}" is used twice`);
    ids.add(subtask.id);
  }
  for (const subtask of plan.subtasks) {
    for (const dep of subtask.depends_on) {
      if (!ids.has(dep)) problems.push(`subtask "${subtask.id}" depends on unknown subtask "${dep}"`);
      if (dep === subtask.id) problems.push(`subtask "${subtask.id}" depends on itself`);
    }
  }
  const cycle = findCycle(plan);
  if (cycle) problems.push(`the dependencies form a cycle: ${cycle.join(' → ')}`);
  return problems;
}

function findCycle(plan: Plan): string[] | null {
  const deps = new Map(plan.subtasks.map((s) => [s.id, s.depends_on]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep) || dep === id) continue;
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const id of deps.keys()) {
    const found = visit(id);
    if (found) return found;
  }
  return null;
}

/** Orders subtask ids so that every subtask comes after its dependencies (plan order breaks ties). */
export function topologicalOrder(plan: Plan): string[] {
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < plan.subtasks.length) {
    const next = plan.subtasks.find((s) => !done.has(s.id) && s.depends_on.every((d) => done.has(d)));
    if (!next) break;
    done.add(next.id);
    order.push(next.id);
  }
  return order;
}
