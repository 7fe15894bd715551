import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CodecrewError } from '@codecrew/core';
import { loadCheckpointedTask, loadConfig } from '@codecrew/orchestrator';
import { usageError, type Io } from '../io.ts';
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
  const checkpoints = join(config.dataDir, 'checkpoints.sqlite');
  const task = await loadCheckpointedTask(checkpoints, id);
  if (task === null) {
    throw new CodecrewError(
      'USAGE_INVALID',
      `no checkpoint of task ${id} in ${checkpoints}: resume runs in the directory (or with the CODECREW_DATA_DIR) of the codecrew run that started it`,
    );
  }
  const withWorker = !values['no-worker'];
  if (!withWorker && config.nats.url === undefined)
    throw usageError('codecrew resume --no-worker needs a shared NATS: set NATS_URL (or nats.url)');
  return executeTask(task, config, io, { json: values.json, verbose: values.verbose, withWorker });
}
