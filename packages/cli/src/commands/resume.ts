import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CodecrewError } from '@codecrew/core';
import { loadConfig } from '@codecrew/orchestrator';
import { usageError, type Io } from '../io.ts';
import { databaseUrlFromEnv, openRunCheckpoints } from '../runtime/checkpoints.ts';
import { executeTask } from './execute.ts';

/**
 * `codecrew resume TASK_ID [--config FILE] [--no-worker] [--json] [--verbose]`: finishes a task whose
 * `codecrew run` was killed, from its last checkpoint; jobs whose results were stored are not run again.
 */
export async function resumeCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      'no-worker': { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
  });
  const id = positionals[0];
  if (id === undefined || positionals.length > 1) throw usageError('codecrew resume takes one task id');
  const config = loadConfig(values.config === undefined ? {} : { file: resolve(values.config) });
  const withWorker = !values['no-worker'];
  if (!withWorker && config.nats.url === undefined)
    throw usageError('codecrew resume --no-worker needs a shared NATS: set NATS_URL (or nats.url)');
  const checkpoints = await openRunCheckpoints(config.dataDir);
  try {
    const task = await checkpoints.loadTask(id);
    if (task === null) {
      const hint =
        databaseUrlFromEnv() === undefined
          ? 'DATABASE_URL is not set; resume runs in the directory (or with the CODECREW_DATA_DIR), and with the DATABASE_URL, of the codecrew run that started it'
          : 'resume runs with the DATABASE_URL of the codecrew run that started it (unset it for the SQLite checkpoints of the data directory)';
      throw new CodecrewError('USAGE_INVALID', `no checkpoint of task ${id} in ${checkpoints.location}: ${hint}`);
    }
    return await executeTask(task, config, io, { json: values.json, verbose: values.verbose, withWorker, checkpoints });
  } finally {
    await checkpoints.close();
  }
}
