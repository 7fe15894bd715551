import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TaskSpec } from '@codecrew/core';
import { loadConfig, preflightTask, resolveTask } from '@codecrew/orchestrator';
import { usageError, type Io } from '../io.ts';
import { executeTask } from './execute.ts';

/** `codecrew ask --repo PATH [--model NAME] "question"`: a read-only answer, no diff, no branch. */
export async function askCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      repo: { type: 'string', default: '.' },
      ref: { type: 'string' },
      model: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
  });
  const question = positionals.join(' ').trim();
  if (question === '') throw usageError('codecrew ask needs a question: codecrew ask --repo PATH "question"');
  const config = loadConfig(values.config === undefined ? {} : { file: resolve(values.config) });
  const spec = TaskSpec.parse({
    apiVersion: 'codecrew/v1',
    kind: 'Task',
    metadata: { name: 'ask' },
    spec: {
      repo: { path: resolve(values.repo), ...(values.ref ? { ref: values.ref } : {}) },
      mode: 'ask',
      prompt: question,
    },
  });
  const task = resolveTask(spec, config, {
    specDir: process.cwd(),
    ...(values.model ? { modelOverride: values.model } : {}),
  });
  await preflightTask(task);
  return executeTask(task, config, io, { json: values.json, verbose: values.verbose });
}
