import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TaskSpec, loadYamlFile } from '@codecrew/core';
import { withAbsolutePaths } from '@codecrew/server';
import { usageError, type Io } from '../io.ts';
import { followTask } from '../client/follow.ts';
import { CLIENT_OPTIONS, clientFrom } from '../client/options.ts';

/** `codecrew submit TASK.yaml [--server URL] [--follow] [--idempotency-key K]`: hands a task to a server. */
export async function submitCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...CLIENT_OPTIONS,
      follow: { type: 'boolean', short: 'f', default: false },
      'idempotency-key': { type: 'string' },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
  });
  const path = positionals[0];
  if (path === undefined || positionals.length > 1) throw usageError('codecrew submit takes one task file');
  const file = resolve(path);
  // Checked here first, with the file's lines and columns; paths are made absolute against the file's folder, as `run` reads them.
  const spec = withAbsolutePaths(loadYamlFile(file, TaskSpec, 'SPEC_INVALID'), dirname(file));
  const client = clientFrom(values);
  const created = await client.submit(spec, values['idempotency-key']);
  io.out(created.id);
  if (!values.follow) return 0;
  return followTask(client, created.id, io, { verbose: values.verbose });
}
