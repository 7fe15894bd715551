import { parseArgs } from 'node:util';
import { usageError, type Io } from '../io.ts';
import { CLIENT_OPTIONS, clientFrom } from '../client/options.ts';

/**
 * `codecrew say TASK_ID [--to TARGET] "text"`: a message from the user to a running task's agents,
 * read by each before its next model call. TARGET is `task` (default), a subtask id or a job id.
 */
export async function sayCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...CLIENT_OPTIONS, to: { type: 'string' } },
  });
  const [id, ...words] = positionals;
  const text = words.join(' ').trim();
  if (id === undefined || text === '')
    throw usageError('codecrew say takes a task id and a message: codecrew say TASK_ID [--to SUBTASK] "text"');
  const sent = await clientFrom(values).say(id, text, values.to);
  const whom = sent.to === 'task' ? 'the task' : sent.to;
  const reach =
    sent.running.length === 0
      ? 'no job it is for runs now; those that start later read it'
      : `read before the next model call of ${sent.running.join(', ')}`;
  io.out(`${sent.id} sent to ${whom}: ${reach}`);
  return 0;
}
