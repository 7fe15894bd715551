import { formatTokens } from '@codecrew/core';
import type { TaskReport } from '../report/build-report.ts';

/** Markdown cells keep to one line and never close the table early. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').trim();
}

/** The default title: the task name and the first line of its prompt. */
export function pullRequestTitle(report: Pick<TaskReport, 'name' | 'prompt'>): string {
  const firstLine = report.prompt.trim().split('\n')[0] ?? '';
  return `${report.name}: ${firstLine}`.slice(0, 200).trim();
}

/**
 * The pull request's description, from the task's report: the plan's summary, the subtasks, the last
 * test run, the last review, tokens and cost, and where the trace is (`traceLink`: a URL or a path).
 */
export function pullRequestBody(report: TaskReport, traceLink: string): string {
  const out: string[] = [];
  out.push(`## Summary`, '', report.plan?.summary?.trim() || report.prompt.trim(), '');
  if (report.subtasks.length > 0) {
    out.push('## Subtasks', '', '| id | title | status | summary |', '| --- | --- | --- | --- |');
    for (const subtask of report.subtasks) {
      out.push(`| ${cell(subtask.id)} | ${cell(subtask.title)} | ${cell(subtask.status)} | ${cell(subtask.summary)} |`);
    }
    out.push('');
  }
  const tests = report.tests.at(-1);
  out.push(
    '## Tests',
    '',
    tests === undefined
      ? 'No tests were run.'
      : `\`${tests.command}\`: exit ${tests.exitCode}, ${tests.passed} passed, ${tests.failed} failed.`,
    '',
  );
  const review = report.reviews.at(-1);
  out.push('## Review', '', review === undefined ? 'No review.' : `**${review.verdict}**: ${review.summary}`, '');
  out.push(
    '## Cost',
    '',
    `${formatTokens(report.usage)}; $${report.usage.costUsd.toFixed(4)} in ${report.usage.calls} model call(s).`,
    '',
  );
  out.push('---', '', `codecrew task \`${report.taskId}\` (${report.status}); trace: ${traceLink}`, '');
  return out.join('\n');
}
