import type { Plan } from './plan.ts';

/** One problem of a plan, at the path of the field it is about (`['subtasks', 1, 'depends_on', 0]`). */
export interface PlanProblem {
  path: Array<string | number>;
  message: string;
}

/** A file glob that reaches outside the workspace (absolute, or through `..`). */
function outsideGlob(glob: string): boolean {
  return glob.startsWith('/') || glob.startsWith('~') || glob.split('/').includes('..');
}

/**
 * Checks that a plan is a usable DAG with workspace-relative file globs: at least one subtask, unique
 * ids, known dependencies, no cycles, no glob outside the workspace. Returns each problem with its path.
 */
export function validatePlanAt(plan: Plan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  if (plan.subtasks.length === 0)
    problems.push({ path: ['subtasks'], message: 'the plan has no subtasks; give at least one' });
  const ids = new Set<string>();
  plan.subtasks.forEach((subtask, index) => {
    if (ids.has(subtask.id))
      problems.push({ path: ['subtasks', index, 'id'], message: `subtask id "${subtask.id}" is used twice` });
    ids.add(subtask.id);
  });
  plan.subtasks.forEach((subtask, index) => {
    subtask.depends_on.forEach((dep, at) => {
      const path = ['subtasks', index, 'depends_on', at];
      if (!ids.has(dep))
        problems.push({ path, message: `subtask "${subtask.id}" depends on unknown subtask "${dep}"` });
      if (dep === subtask.id) problems.push({ path, message: `subtask "${subtask.id}" depends on itself` });
    });
    subtask.files.forEach((glob, at) => {
      if (outsideGlob(glob))
        problems.push({
          path: ['subtasks', index, 'files', at],
          message: `file glob "${glob}" reaches outside the repository; give a path relative to its top`,
        });
    });
  });
  const cycle = findCycle(plan);
  if (cycle) {
    const index = plan.subtasks.findIndex((s) => s.id === cycle[0]);
    problems.push({
      path: ['subtasks', index, 'depends_on'],
      message: `the dependencies form a cycle: ${cycle.join(' → ')}`,
    });
  }
  return problems;
}

/** {@link validatePlanAt} as sentences, one per problem; empty when the plan is valid. */
export function validatePlan(plan: Plan): string[] {
  return validatePlanAt(plan).map((problem) => problem.message);
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
