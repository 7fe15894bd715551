import { formatDuration, formatTokenTotal, formatTokens } from '@codecrew/core';
import type { TaskReport } from './build-report.ts';

const STATUS_TEXT: Record<string, string> = {
  approved: 'approved — tests pass and the reviewer approved',
  changes_requested: 'changes requested — the reviewer did not approve within the review rounds',
  tests_failed: 'tests failed',
  failed: 'failed',
  answered: 'answered',
  cancelled: 'cancelled',
  budget_exhausted: 'stopped: budget exhausted',
  running: 'running',
};

const ATTEMPT_TEXT: Record<TaskReport['jobs'][number]['attempts'][number]['outcome'], string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  lost: 'lost — the worker stopped answering and the job was delivered again',
  unfinished: 'no end recorded',
};

function fence(text: string, lang = ''): string {
  const ticks = text.includes('```') ? '````' : '```';
  return `${ticks}${lang}\n${text.trimEnd()}\n${ticks}`;
}

/** report.md: the same facts as report.json, for people. */
export function renderMarkdown(report: TaskReport): string {
  const out: string[] = [];
  out.push(`# codecrew task ${report.name} (${report.taskId})`, '');
  out.push(`**Status:** ${STATUS_TEXT[report.status] ?? report.status}`);
  if (report.error) out.push(`**Error:** \`${report.error.code}\` ${report.error.message}`);
  if (report.scripted)
    out.push('', "> The model of this run was **scripted** (codecrew's scripted model server), not a real model.");
  out.push(
    '',
    `- Repository: ${report.repo.url === null ? '' : `\`${report.repo.url}\`, cloned into `}\`${report.repo.path}\` at \`${report.repo.ref ?? 'HEAD'}\` (${report.repo.baseCommit.slice(0, 12)})`,
  );
  const byModel = new Map<string, string[]>();
  for (const [role, name] of Object.entries(report.models)) {
    if (role !== 'tester') byModel.set(name, [...(byModel.get(name) ?? []), role]);
  }
  out.push(
    `- Models: ${[...byModel].map(([name, roles]) => `\`${name}\` (${roles.join(', ')})`).join('; ')}; the tester runs the test command and asks no model`,
  );
  out.push(`- AGENTS.md: ${report.agentsMd.length > 0 ? report.agentsMd.map((f) => `\`${f}\``).join(', ') : 'none'}`);
  out.push(
    `- Test command: ${report.testCommand.command ? `\`${report.testCommand.command}\` (from ${report.testCommand.source})` : 'none found'}`,
  );
  out.push(
    `- Duration: ${formatDuration(report.timings.durationMs)}; tokens: ${formatTokens(report.usage)}; cost: $${report.usage.costUsd.toFixed(4)}`,
  );
  const retried = Object.entries(report.modelRetries.byRole).map(([role, count]) => `${role} ${count}`);
  out.push(
    `- Model retries: ${report.modelRetries.total === 0 ? 'none' : `${report.modelRetries.total} (${retried.join(', ')})`}`,
  );
  const redelivered = report.jobs.filter((job) => job.attempts.length > 1).length;
  if (redelivered > 0) out.push(`- Jobs delivered more than once (their worker was lost or stopped): ${redelivered}`);
  if (report.result?.branch)
    out.push(
      `- Branch: \`${report.result.branch}\` (${report.result.commit?.slice(0, 12)}), ${report.result.filesChanged} file(s) changed`,
    );
  if (report.result?.diffPath) out.push(`- Diff: \`${report.result.diffPath}\``);
  const push = report.result?.push ?? null;
  if (push !== null) {
    out.push(
      push.error === null
        ? `- Pushed to \`${push.remote}\` (${push.commit?.slice(0, 12) ?? ''})`
        : `- Push to \`${push.remote}\` failed: \`${push.error.code}\` ${push.error.message}`,
    );
  }
  const pull = report.result?.pullRequest ?? null;
  if (pull !== null) {
    out.push(
      pull.error === null
        ? `- Pull request #${pull.number ?? ''} ${pull.action ?? ''} on ${pull.github}: ${pull.url ?? ''}`
        : `- Pull request on ${pull.github} failed: \`${pull.error.code}\` ${pull.error.message}`,
    );
  }
  out.push('', '## Task', '', report.prompt.trim());
  const roles = Object.entries(report.usage.byRole);
  if (roles.length > 0) {
    out.push('', '## Model usage', '');
    out.push(
      '| role | calls | prompt tokens | cached | completion tokens | reasoning | cost |',
      '|---|---|---|---|---|---|---|',
    );
    for (const [role, u] of roles) {
      out.push(
        `| ${role} | ${u.calls} | ${u.promptTokens} | ${u.cachedPromptTokens} | ${u.completionTokens} | ${u.reasoningTokens} | $${u.costUsd.toFixed(4)} |`,
      );
    }
  }
  if (report.answer !== null) out.push('', '## Answer', '', report.answer);
  if (report.plan) {
    out.push(
      '',
      '## Plan',
      '',
      report.plan.summary,
      '',
      '| subtask | title | depends on | status | summary |',
      '|---|---|---|---|---|',
    );
    for (const s of report.subtasks) {
      out.push(
        `| ${s.id} | ${s.title} | ${s.dependsOn.join(', ') || '—'} | ${s.status} | ${(s.error ?? s.summary).replace(/\n/g, ' ').replace(/\|/g, '\\|')} |`,
      );
    }
  }
  if (report.ordering.length > 0) {
    out.push('', 'Held back so that they do not run at the same time:');
    for (const o of report.ordering) out.push(`- ${o.subtaskId} after ${o.after}: ${o.reason}`);
  }
  for (const pick of report.selections) {
    out.push(
      '',
      `Best of ${pick.candidates.length} for ${pick.subtaskId}: ${pick.winner === null ? 'no winner' : `attempt ${pick.winner}`} — ${pick.reason}`,
      '',
    );
    out.push('| attempt | job | status | tests | review | diff lines |', '|---|---|---|---|---|---|');
    for (const c of pick.candidates) {
      const tests = c.tests ? `exit ${c.tests.exitCode}, ${c.tests.passed} passed, ${c.tests.failed} failed` : '—';
      out.push(
        `| ${c.attempt}${c.attempt === pick.winner ? ' ✓' : ''} | ${c.jobId} | ${c.status} | ${tests} | ${c.review ?? '—'} | ${c.diffLines} |`,
      );
    }
  }
  if (report.merges.length > 0) {
    out.push('', '## Merge train', '');
    for (const m of report.merges) {
      const what = m.kind && m.kind !== 'implement' ? ` (${m.kind})` : '';
      out.push(
        `- round ${m.round}, ${m.subtaskId}${what}: ${m.status}${m.conflicts ? ` in ${m.conflicts.join(', ')}` : ''}${m.commit ? ` → ${m.commit.slice(0, 10)}` : ''}`,
      );
    }
  }
  if (report.provenance.length > 0) {
    out.push('', '## Provenance', '', '| file | hunk | subtask | job |', '|---|---|---|---|');
    for (const p of report.provenance)
      out.push(
        `| ${p.file} | \`${p.hunk}\` | ${p.subtasks.join(', ') || '—'}${p.inferred ? ' (deletion)' : ''} | ${p.jobs.join(', ') || '—'} |`,
      );
  }
  if (report.tests.length > 0) {
    out.push('', '## Tests', '');
    for (const t of report.tests) {
      out.push(
        `Round ${t.round}: \`${t.command}\` → exit ${t.exitCode}${t.timedOut ? ' (timed out)' : ''}; ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped (${t.framework}, ${formatDuration(t.durationMs)})`,
        '',
      );
      out.push(fence(t.outputExcerpt.slice(-3000)), '');
      if (t.logPath) out.push(`Full log: \`${t.logPath}\``, '');
    }
  }
  if (report.reviews.length > 0) {
    out.push('', '## Review', '');
    for (const r of report.reviews) {
      out.push(`Round ${r.round}: **${r.verdict}** — ${r.summary}`);
      for (const c of r.comments) out.push(`- \`${c.path}${c.line ? `:${c.line}` : ''}\` [${c.severity}] ${c.body}`);
      out.push('');
    }
  }
  out.push('', '## Jobs and commands', '');
  for (const job of report.jobs) {
    const who = `${job.role}${job.subtaskId ? ` ${job.subtaskId}` : ''}`;
    const retries =
      job.modelRetries.length === 0
        ? ''
        : `, ${job.modelRetries.length} model ${job.modelRetries.length === 1 ? 'retry' : 'retries'}`;
    const status = job.incomplete === 'steps_exhausted' ? `${job.status}, steps exhausted` : job.status;
    out.push(
      `### ${who} — ${status} (${formatDuration(job.durationMs)}, ${formatTokenTotal(job.usage)}${retries})`,
      '',
    );
    if (job.error) out.push(`Error: \`${job.error.code}\` ${job.error.message}`, '');
    if (job.incomplete === 'steps_exhausted') {
      out.push(
        'It used all its steps without calling finish; its changes were handed over unfinished, for the tests to judge.',
        '',
      );
    }
    if (job.attempts.length > 1) {
      out.push('| delivery | worker | ended |', '|---|---|---|');
      for (const a of job.attempts)
        out.push(
          `| ${a.delivery} | ${a.worker} | ${ATTEMPT_TEXT[a.outcome]}${a.error ? `: ${a.error.replace(/\n/g, ' ').replace(/\|/g, '\\|')}` : ''} |`,
        );
      out.push('');
    }
    for (const r of job.modelRetries) {
      out.push(
        `- model call retried (delivery ${r.delivery}, retry ${r.attempt}): ${r.status === null ? r.reason : `HTTP ${r.status} (${r.reason})`}, waited ${formatDuration(r.waitMs)}`,
      );
    }
    if (job.modelRetries.length > 0) out.push('');
    for (const cmd of job.commands) {
      out.push(
        `- \`${cmd.command}\` → ${cmd.timedOut ? 'timed out' : `exit ${cmd.exitCode}`} (${formatDuration(cmd.durationMs)})`,
      );
      const output = `${cmd.stdout}${cmd.stderr ? `\n${cmd.stderr}` : ''}`.trim();
      if (output !== '') out.push('', fence(output.slice(-1500)), '');
    }
    out.push('');
  }
  out.push(
    '## Files',
    '',
    `- report: \`${report.files.report}\``,
    `- report.json: \`${report.files.reportJson}\``,
    `- trace: \`${report.files.trace}\``,
    '',
  );
  return out.join('\n');
}
