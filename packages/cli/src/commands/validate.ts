import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TaskSpec, loadYamlFile } from '@codecrew/core';
import { loadConfig, resolveTask } from '@codecrew/orchestrator/spec';
import { usageError, type Io } from '../io.ts';

/** `codecrew validate TASK.yaml...`: checks task files without running anything. */
export async function validateCommand(argv: string[], io: Io): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string' } },
  });
  if (positionals.length === 0) throw usageError('codecrew validate needs at least one task file');
  const config = loadConfig(values.config === undefined ? {} : { file: resolve(values.config) });
  for (const path of positionals) {
    const file = resolve(path);
    const spec = loadYamlFile(file, TaskSpec, 'SPEC_INVALID');
    const task = resolveTask(spec, config, { specDir: dirname(file) });
    io.out(`${path}: valid (${task.mode} task "${task.name}" on ${task.repoUrl ?? task.repoPath})`);
  }
  return 0;
}
