import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { parseYaml } from '@codecrew/core';
import { usageError, type Io } from '../io.ts';
import { CLIENT_OPTIONS, clientFrom } from '../client/options.ts';

/** Who decides, as the trace names them: `--by`, else the user's login name. */
export function deciderName(by: string | undefined): string {
  if (by !== undefined) return by;
  try {
    return userInfo().username;
  } catch {
    return 'cli';
  }
}

const DECISION_OPTIONS = {
  ...CLIENT_OPTIONS,
  by: { type: 'string' },
  reason: { type: 'string' },
} as const;

/**
 * `codecrew approve TASK_ID [--plan PLAN.yaml|json] [--reason TEXT] [--by NAME]`: approves the plan of a
 * task awaiting approval on a server; with `--plan`, replaces it with the edited plan in the file.
 */
export async function approveCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...DECISION_OPTIONS, plan: { type: 'string' } },
  });
  const id = positionals[0];
  if (id === undefined || positionals.length > 1) throw usageError('codecrew approve takes one task id');
  const by = deciderName(values.by);
  const reason = values.reason === undefined ? {} : { reason: values.reason };
  const decision =
    values.plan === undefined
      ? { action: 'approve' as const, by, ...reason }
      : {
          action: 'edit' as const,
          plan: parseYaml(readFileSync(resolve(values.plan), 'utf8'), values.plan),
          by,
          ...reason,
        };
  const task = await clientFrom(values).decidePlan(id, decision);
  io.out(`${task.id} plan ${decision.action === 'edit' ? 'edited' : 'approved'}; the task is ${task.status}`);
  return 0;
}

/** `codecrew reject TASK_ID [--reason TEXT] [--by NAME]`: rejects the plan; the task ends cancelled. */
export async function rejectCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: DECISION_OPTIONS });
  const id = positionals[0];
  if (id === undefined || positionals.length > 1) throw usageError('codecrew reject takes one task id');
  const reason = values.reason === undefined ? {} : { reason: values.reason };
  const task = await clientFrom(values).decidePlan(id, { action: 'reject', by: deciderName(values.by), ...reason });
  io.out(`${task.id} plan rejected; the task is ${task.status} and ends cancelled`);
  return 0;
}
