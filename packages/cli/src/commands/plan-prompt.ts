import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { CodecrewError, checkPlan, type Plan, type PlanVerdict } from '@codecrew/core';
import type { AwaitingApproval } from '@codecrew/orchestrator';
import type { Io } from '../io.ts';
import { deciderName } from './plan-decision.ts';

/** The plan as lines for a terminal: each subtask, the files it may touch and what it waits for. */
export function planLines(plan: Plan): string[] {
  const lines = [`Plan: ${plan.summary}`];
  for (const subtask of plan.subtasks) {
    const after = subtask.depends_on.length > 0 ? ` (after ${subtask.depends_on.join(', ')})` : '';
    lines.push(`  ${subtask.id}: ${subtask.title}${after}`);
    if (subtask.files.length > 0) lines.push(`      files: ${subtask.files.join(', ')}`);
  }
  return lines;
}

/** Opens the plan as JSON in $VISUAL or $EDITOR (vi otherwise) and returns the text as saved. */
function editInEditor(plan: Plan, io: Io): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'codecrew-plan-'));
  const file = join(dir, 'plan.json');
  try {
    writeFileSync(file, `${JSON.stringify(plan, null, 2)}\n`);
    const editor = process.env['VISUAL'] || process.env['EDITOR'] || 'vi';
    const run = spawnSync(`${editor} "${file}"`, { shell: true, stdio: 'inherit' });
    if (run.status !== 0) {
      io.err(`codecrew: ${editor} exited with ${String(run.status ?? run.signal)}; the plan is unchanged`);
      return null;
    }
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The edited plan, or the problems that keep it from being one (printed). */
function editedPlan(text: string, io: Io): Plan | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    io.err(`codecrew: the edited plan is not JSON: ${(error as Error).message}`);
    return null;
  }
  const checked = checkPlan(value);
  if (checked.plan !== null) return checked.plan;
  io.err('codecrew: the edited plan is not valid:');
  for (const issue of checked.issues) io.err(`  ${issue.path}: ${issue.message}`);
  return null;
}

/**
 * Asks on this terminal what to do with a plan awaiting approval: y approves, n rejects, e opens it in
 * $EDITOR (as JSON) and goes on with the edited plan once it is valid. Past the wait's deadline the
 * spec's `onTimeout` decides.
 */
export async function askPlanDecision(wait: AwaitingApproval, io: Io): Promise<PlanVerdict> {
  for (const line of planLines(wait.plan)) io.out(line);
  if (process.stdin.isTTY !== true) {
    throw new CodecrewError(
      'USAGE_INVALID',
      `the plan of task ${wait.taskId} awaits approval, but stdin is not a terminal to ask on: run codecrew resume ${wait.taskId} in a terminal to decide`,
    );
  }
  const by = deciderName(undefined);
  const verdict = (action: PlanVerdict['action'], extra: Partial<PlanVerdict> = {}): PlanVerdict => ({
    action,
    by,
    at: new Date().toISOString(),
    ...extra,
  });
  const deadline = wait.deadline === null ? null : Date.parse(wait.deadline);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const timeout = new AbortController();
  const timer = deadline === null ? null : setTimeout(() => timeout.abort(), Math.max(0, deadline - Date.now()));
  try {
    let plan = wait.plan;
    for (;;) {
      let answer: string;
      try {
        answer = (
          await rl.question('Approve this plan? [y]es, [n]o (cancel the task), [e]dit: ', { signal: timeout.signal })
        )
          .trim()
          .toLowerCase();
      } catch (error) {
        if (!timeout.signal.aborted) throw error;
        io.out('');
        io.out(
          `No decision by ${wait.deadline}: the plan is ${wait.onTimeout === 'approve' ? 'approved' : 'rejected'} (spec.plan.onTimeout).`,
        );
        const reason = 'the wait for a decision reached spec.plan.timeout';
        return {
          action: wait.onTimeout === 'approve' ? 'approve' : 'reject',
          by: 'timeout',
          at: new Date().toISOString(),
          reason,
        };
      }
      if (answer === 'y' || answer === 'yes')
        return plan === wait.plan ? verdict('approve') : verdict('edit', { plan });
      if (answer === 'n' || answer === 'no') return verdict('reject');
      if (answer === 'e' || answer === 'edit') {
        const text = editInEditor(plan, io);
        const edited = text === null ? null : editedPlan(text, io);
        if (edited !== null) {
          plan = edited;
          for (const line of planLines(plan)) io.out(line);
          io.out('Answer y to go on with the edited plan.');
        }
      }
    }
  } finally {
    if (timer !== null) clearTimeout(timer);
    rl.close();
  }
}
