import type { Plan } from '@codecrew/core';
import type { SubtaskState } from '../data/fold.ts';

const BOX_W = 230;
const BOX_H = 58;
const GAP_X = 60;
const GAP_Y = 16;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Columns by dependency depth: a subtask sits one column right of its deepest dependency. */
function depths(plan: Plan): Map<string, number> {
  const depth = new Map<string, number>();
  const byId = new Map(plan.subtasks.map((s) => [s.id, s]));
  const visit = (id: string, seen: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0;
    seen.add(id);
    const deps = byId.get(id)?.depends_on ?? [];
    const value = deps.length === 0 ? 0 : Math.max(...deps.map((dep) => visit(dep, seen))) + 1;
    depth.set(id, value);
    return value;
  };
  for (const subtask of plan.subtasks) visit(subtask.id, new Set());
  return depth;
}

/** The plan as a graph: subtasks with their files, arrows for dependencies, coloured by state. */
export function PlanGraph({
  plan,
  states,
  onSelect,
}: {
  plan: Plan;
  states: Record<string, SubtaskState>;
  onSelect?: (id: string) => void;
}) {
  const depth = depths(plan);
  const rows = new Map<number, number>();
  const place = new Map<string, { x: number; y: number }>();
  for (const subtask of plan.subtasks) {
    const column = depth.get(subtask.id) ?? 0;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    place.set(subtask.id, { x: 8 + column * (BOX_W + GAP_X), y: 8 + row * (BOX_H + GAP_Y) });
  }
  const width = 16 + (Math.max(0, ...depth.values()) + 1) * (BOX_W + GAP_X) - GAP_X;
  const height = 16 + Math.max(1, ...rows.values()) * (BOX_H + GAP_Y) - GAP_Y;
  return (
    <figure className="plan">
      <figcaption>{plan.summary}</figcaption>
      <svg width={width} height={height} role="group" aria-label="Plan: subtasks and their dependencies">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" className="arrow-head" />
          </marker>
        </defs>
        {plan.subtasks.flatMap((subtask) =>
          subtask.depends_on.map((dep) => {
            const from = place.get(dep);
            const to = place.get(subtask.id);
            if (from === undefined || to === undefined) return null;
            return (
              <line
                key={`${dep}-${subtask.id}`}
                x1={from.x + BOX_W}
                y1={from.y + BOX_H / 2}
                x2={to.x - 2}
                y2={to.y + BOX_H / 2}
                className="edge"
                markerEnd="url(#arrow)"
              />
            );
          }),
        )}
        {plan.subtasks.map((subtask) => {
          const at = place.get(subtask.id) ?? { x: 0, y: 0 };
          const state = states[subtask.id] ?? 'waiting';
          return (
            <g
              key={subtask.id}
              transform={`translate(${at.x},${at.y})`}
              className={`node node-${state}`}
              tabIndex={0}
              role="button"
              onClick={() => onSelect?.(subtask.id)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' || event.key === ' ') onSelect?.(subtask.id);
              }}
            >
              <rect width={BOX_W} height={BOX_H} rx={6} />
              <text x={8} y={18} className="node-title">
                {subtask.id} · {state}
              </text>
              <text x={8} y={34} className="node-sub">
                {clip(subtask.title, 32)}
              </text>
              <text x={8} y={50} className="node-files">
                {clip(subtask.files.join(', '), 34)}
              </text>
              <title>{`${subtask.title}\n${subtask.description}\nfiles: ${subtask.files.join(', ')}`}</title>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
