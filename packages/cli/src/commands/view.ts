import { parseArgs } from 'node:util';
import { CodecrewError } from '@codecrew/core';
import { isViewerBuilt } from '@codecrew/viewer';
import { usageError, type Io } from '../io.ts';
import { startViewServer } from '../view/server.ts';
import { readTaskFolder } from '../view/task-folder.ts';

/**
 * `codecrew view TASK_FOLDER|trace.jsonl [--port N]`: the trace viewer on one finished task, from a
 * small read-only server on 127.0.0.1; prints the URL and serves until interrupted.
 */
export async function viewCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { port: { type: 'string', default: '0' } },
  });
  if (positionals.length !== 1) throw usageError('codecrew view takes one task folder or trace.jsonl');
  if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) throw usageError('--port takes a port number');
  if (!isViewerBuilt()) {
    throw new CodecrewError(
      'FILE_NOT_FOUND',
      'the viewer is not built; run npm run setup (or npm run build -w @codecrew/viewer)',
    );
  }
  const folder = readTaskFolder(positionals[0] as string);
  const { server, url } = await startViewServer(folder, Number(values.port));
  io.out(`codecrew view: ${folder.id} (${folder.lines.length} events) at ${url}`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
