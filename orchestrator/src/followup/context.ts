import type { TaskReport } from '../report/build-report.ts';

/** What a follow-up's planner is told about the task it continues: its request, plan, subtasks, tests and review. */
export function followupContext(
  report: Pick<TaskReport, 'prompt' | 'plan' | 'subtasks' | 'tests' | 'reviews'>,
): string {
  const parts = [`Request: ${report.prompt.trim()}`];
  if (report.plan !== null) parts.push(`Plan: ${report.plan.summary}`);
  if (report.subtasks.length > 0) {
    parts.push(
      `Subtasks:\n${report.subtasks
        .map((s) => `- ${s.id} ${s.title} [${s.status}]${s.summary === '' ? '' : `: ${s.summary}`}`)
        .join('\n')}`,
    );
  }
  const tests = report.tests.at(-1);
  if (tests !== undefined) {
    parts.push(`Tests: \`${tests.command}\` exit ${tests.exitCode}, ${tests.passed} passed, ${tests.failed} failed`);
  }
  const review = report.reviews.at(-1);
  if (review !== undefined) {
    const comments = review.comments.map((c) => `- ${c.path}${c.line ? `:${c.line}` : ''} [${c.severity}] ${c.body}`);
    parts.push(`Review: ${review.verdict} — ${review.summary}${comments.length > 0 ? `\n${comments.join('\n')}` : ''}`);
  }
  return parts.join('\n\n');
}
