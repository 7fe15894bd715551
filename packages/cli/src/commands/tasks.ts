import { parseArgs } from 'node:util';
import type { TaskListItem } from '@codecrew/server';
import { usageError, type Io } from '../io.ts';
import { CLIENT_OPTIONS, clientFrom } from '../client/options.ts';

/** `codecrew tasks [--status S] [--limit N] [--json]`: the server's tasks, newest first. */
export async function tasksCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...CLIENT_OPTIONS,
      status: { type: 'string' },
      limit: { type: 'string', default: '100' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) throw usageError('codecrew tasks takes no arguments, only options');
  if (!/^[0-9]+$/.test(values.limit) || Number(values.limit) < 1)
    throw usageError('--limit takes a whole number of 1 or more');
  const limit = Number(values.limit);
  const client = clientFrom(values);
  const tasks: TaskListItem[] = [];
  let cursor: string | null = null;
  do {
    const page = await client.list({
      ...(values.status === undefined ? {} : { status: values.status }),
      limit: Math.min(500, limit - tasks.length),
      cursor,
    });
    tasks.push(...page.tasks);
    cursor = page.next_cursor;
  } while (cursor !== null && tasks.length < limit);
  if (values.json) {
    io.out(JSON.stringify(tasks, null, 2));
    return 0;
  }
  if (tasks.length === 0) {
    io.out(values.status === undefined ? 'no tasks' : `no ${values.status} tasks`);
    return 0;
  }
  const rows = [
    ['ID', 'STATUS', 'NAME', 'CREATED', 'REPO'],
    ...tasks.map((t) => [t.id, t.status, t.name, t.created_at.replace('T', ' ').slice(0, 19), t.repo]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows)
    io.out(
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    );
  return 0;
}
