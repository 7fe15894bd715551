import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TaskSpec, loadYamlFile } from '@codecrew/core';
import { loadConfig, preflightTask, resolveTask } from '@codecrew/orchestrator';
import { usageError, type Io } from '../io.ts';
import { executeTask } from './execute.ts';

/**
 * A plan held for approval is decided on this terminal; without one, nothing is started (nothing spent)
 * and the error says how to approve through a server instead.
 */
function requireTerminalForApproval(): void {
  if (process.stdin.isTTY === true) return;
  throw usageError(
    'the plan must be approved (--approve-plan or spec.plan.approval: required), but stdin is not a terminal to ask on. ' +
      'Run it on a server instead: codecrew submit TASK.yaml (with spec.plan.approval: required), then codecrew approve TASK_ID, ' +
      'codecrew reject TASK_ID, or POST /v1/tasks/TASK_ID/plan',
  );
}

/** `codecrew run TASK.yaml [--model NAME|scripted:SCRIPT] [--config FILE] [--no-worker] [--approve-plan] [--json] [--verbose]` */
export async function runCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      'no-worker': { type: 'boolean', default: false },
      'approve-plan': { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
  });
  const specPath = positionals[0];
  if (specPath === undefined || positionals.length > 1)
    throw usageError('codecrew run takes one task file: codecrew run TASK.yaml');
  const file = resolve(specPath);
  const config = loadConfig(values.config === undefined ? {} : { file: resolve(values.config) });
  const withWorker = !values['no-worker'];
  if (!withWorker && config.nats.url === undefined) {
    throw usageError(
      'codecrew run --no-worker sends jobs to workers in other processes, so they need a shared NATS: set NATS_URL (or nats.url in the configuration) for this run and for `codecrew worker`',
    );
  }
  const spec = loadYamlFile(file, TaskSpec, 'SPEC_INVALID');
  if (values['approve-plan']) spec.spec.plan = { onTimeout: 'cancel', ...spec.spec.plan, approval: 'required' };
  if (spec.spec.plan?.approval === 'required' && spec.spec.mode === 'code') requireTerminalForApproval();
  const task = resolveTask(spec, config, {
    specDir: dirname(file),
    ...(values.model === undefined ? {} : { modelOverride: values.model }),
  });
  await preflightTask(task, spec.spec.repo.url === undefined ? {} : { repoUrl: spec.spec.repo.url });
  return executeTask(task, config, io, { json: values.json, verbose: values.verbose, withWorker });
}
