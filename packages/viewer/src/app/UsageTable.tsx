import type { Usage } from '../data/types.ts';
import type { Folded } from '../data/fold.ts';
import { formatCost, formatCount, formatDuration } from './format.ts';

function Rows({ title, byKey, time }: { title: string; byKey: Record<string, Usage>; time?: Record<string, number> }) {
  return (
    <>
      {Object.entries(byKey).map(([key, usage]) => (
        <tr key={`${title}-${key}`}>
          <th scope="row">
            {title} {key}
          </th>
          <td>{usage.calls}</td>
          <td>{formatCount(usage.promptTokens)}</td>
          <td>{formatCount(usage.completionTokens)}</td>
          <td>{formatCost(usage.costUsd)}</td>
          <td>{formatDuration(time?.[key])}</td>
        </tr>
      ))}
    </>
  );
}

/** Tokens, cost and time per agent, per subtask and in all. */
export function UsageTable({ folded }: { folded: Folded }) {
  const { total, byRole, bySubtask } = folded.usage;
  const timeByRole: Record<string, number> = {};
  const timeBySubtask: Record<string, number> = {};
  for (const lane of folded.lanes) {
    const ms = (lane.end ?? folded.end) - lane.start;
    timeByRole[lane.role] = (timeByRole[lane.role] ?? 0) + ms;
    if (lane.subtaskId !== undefined) timeBySubtask[lane.subtaskId] = (timeBySubtask[lane.subtaskId] ?? 0) + ms;
  }
  return (
    <table className="usage">
      <thead>
        <tr>
          <th />
          <th>calls</th>
          <th>prompt</th>
          <th>completion</th>
          <th>cost</th>
          <th>job time</th>
        </tr>
      </thead>
      <tbody>
        <Rows title="agent" byKey={byRole} time={timeByRole} />
        <Rows title="subtask" byKey={bySubtask} time={timeBySubtask} />
        <tr className="total">
          <th scope="row">all</th>
          <td>{total.calls}</td>
          <td>{formatCount(total.promptTokens)}</td>
          <td>{formatCount(total.completionTokens)}</td>
          <td>{formatCost(total.costUsd)}</td>
          <td>{formatDuration(Number.isFinite(folded.end - folded.start) ? folded.end - folded.start : undefined)}</td>
        </tr>
      </tbody>
    </table>
  );
}
