import { parseArgs } from 'node:util';
import { usageError, type Io } from '../io.ts';
import { CLIENT_OPTIONS, clientFrom } from '../client/options.ts';

/** `codecrew cancel TASK_ID`: a queued task never starts; a running one stops its jobs. */
export async function cancelCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...CLIENT_OPTIONS } });
  const id = positionals[0];
  if (id === undefined || positionals.length > 1) throw usageError('codecrew cancel takes one task id');
  const task = await clientFrom(values).cancel(id);
  io.out(`${task.id} ${task.status === 'cancelled' ? 'cancelled' : `${task.status}, cancelling`}`);
  return 0;
}
