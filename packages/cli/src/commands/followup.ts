import { parseArgs } from 'node:util';
import type { FollowupCreated } from '@codecrew/server';
import { usageError, type Io } from '../io.ts';
import { followTask } from '../client/follow.ts';
import { CLIENT_OPTIONS, clientFrom } from '../client/options.ts';

const FOLLOW_OPTIONS = {
  ...CLIENT_OPTIONS,
  follow: { type: 'boolean', short: 'f', default: false },
  verbose: { type: 'boolean', short: 'v', default: false },
} as const;

/** Prints the new task's id and where it goes; follows it with `--follow`. */
async function announce(
  created: FollowupCreated,
  io: Io,
  follow: { enabled: boolean; verbose: boolean; client: ReturnType<typeof clientFrom> },
): Promise<number> {
  io.out(created.id);
  io.err(`following up ${created.parent} on ${created.branch} from ${created.base_commit.slice(0, 10)}`);
  for (const route of created.routes ?? []) io.err(`comment ${route.comment} → ${route.subtask} (by ${route.by})`);
  if (!follow.enabled) return 0;
  return followTask(follow.client, created.id, io, { verbose: follow.verbose });
}

/** `codecrew followup TASK_ID "prompt" [--follow]`: a new task on the same branch, after the first's result. */
export async function followupCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: FOLLOW_OPTIONS });
  const [id, prompt] = positionals;
  if (id === undefined || prompt === undefined || positionals.length > 2 || prompt.trim() === '') {
    throw usageError('codecrew followup takes a task id and a prompt: codecrew followup TASK_ID "what to do next"');
  }
  const client = clientFrom(values);
  const created = await client.followup(id, prompt);
  return announce(created, io, { enabled: values.follow, verbose: values.verbose, client });
}

/** `codecrew comment TASK_ID PATH:LINE "body"`: a comment on a line of an ended task's diff. */
export async function commentCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...CLIENT_OPTIONS } });
  const [id, where, body] = positionals;
  const match = /^(.+):([1-9][0-9]*)$/.exec(where ?? '');
  if (id === undefined || body === undefined || positionals.length > 3 || match?.[1] === undefined) {
    throw usageError(
      'codecrew comment takes a task id, PATH:LINE and the comment: codecrew comment TASK_ID src/a.ts:12 "…"',
    );
  }
  const added = await clientFrom(values).addComments(id, [{ path: match[1], line: Number(match[2]), body }]);
  for (const comment of added.comments) io.out(`${comment.id} ${comment.path}:${comment.line}`);
  return 0;
}

/** `codecrew revise TASK_ID [--follow]`: the task's comments go to the subtasks that wrote their lines. */
export async function reviseCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: FOLLOW_OPTIONS });
  const id = positionals[0];
  if (id === undefined || positionals.length > 1) throw usageError('codecrew revise takes one task id');
  const client = clientFrom(values);
  const created = await client.revise(id);
  return announce(created, io, { enabled: values.follow, verbose: values.verbose, client });
}
