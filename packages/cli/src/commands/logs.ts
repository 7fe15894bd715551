import { parseArgs } from 'node:util';
import { usageError, type Io } from '../io.ts';
import { followTask } from '../client/follow.ts';
import { CLIENT_OPTIONS, clientFrom } from '../client/options.ts';
import { ProgressPrinter } from '../progress/printer.ts';

/** `codecrew logs TASK_ID [--follow] [--json]`: a task's events from the start; live until it ends with --follow. */
export async function logsCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...CLIENT_OPTIONS,
      follow: { type: 'boolean', short: 'f', default: false },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
  });
  const id = positionals[0];
  if (id === undefined || positionals.length > 1) throw usageError('codecrew logs takes one task id');
  const client = clientFrom(values);
  if (values.json) {
    if (!values.follow) {
      for (const event of await client.eventsSoFar(id)) io.out(JSON.stringify(event));
      return 0;
    }
    const end = await client.follow(id, (event) => io.out(JSON.stringify(event)));
    return end.status === 'approved' ? 0 : end.status === 'cancelled' ? 130 : 1;
  }
  if (values.follow) return followTask(client, id, io, { verbose: values.verbose });
  const printer = new ProgressPrinter((line) => io.out(line), { color: io.color, verbose: values.verbose });
  for (const event of await client.eventsSoFar(id)) printer.handle(event);
  return 0;
}
