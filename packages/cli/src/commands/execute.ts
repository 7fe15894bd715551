import { formatDuration, formatTokenTotal, type Config } from '@codecrew/core';
import { runTask, type CheckpointStore, type ResolvedTask, type TaskOutcome } from '@codecrew/orchestrator';
import { ProgressPrinter } from '../progress/printer.ts';
import { openRunCheckpoints } from '../runtime/checkpoints.ts';
import { startCrew } from '../runtime/crew.ts';
import { startScriptedModels } from '../runtime/scripted-models.ts';
import { steerFromTerminal } from '../runtime/terminal-steering.ts';
import { askPlanDecision } from './plan-prompt.ts';
import type { Io } from '../io.ts';

/** Options shared by every command that runs a task. */
export interface ExecuteOptions {
  json: boolean;
  verbose: boolean;
  /** Run an agent worker in this process (default); false leaves the jobs to `codecrew worker` processes on the same NATS. */
  withWorker?: boolean;
  /** Where the checkpoints are (`codecrew resume` passes the store it found the task in); default {@link openRunCheckpoints}, closed when the task ends. */
  checkpoints?: CheckpointStore;
}

function announceModels(io: Io, task: ResolvedTask, scripts: string[]): void {
  if (scripts.length > 0) {
    io.out(`Model: SCRIPTED — replies come from ${scripts.join(', ')}, not from a real model.`);
    io.out('       To use a real model, set OPENAI_API_KEY (and OPENAI_BASE_URL for any OpenAI-compatible server)');
    io.out('       and run with --model <name> (e.g. --model gpt-4.1-mini), or set spec.models in the task file.');
    return;
  }
  const names = [...new Set(Object.values(task.models).map((m) => m.name))];
  io.out(`Model: ${names.join(', ')}${task.models.coder.baseURL ? ` at ${task.models.coder.baseURL}` : ''}`);
}

function summarize(io: Io, outcome: TaskOutcome): void {
  const { report } = outcome;
  io.out('');
  io.out(`Result: ${outcome.status}${outcome.error ? ` — ${outcome.error.code}: ${outcome.error.message}` : ''}`);
  const tests = report.tests.at(-1);
  if (tests)
    io.out(`  tests:   ${tests.command} → exit ${tests.exitCode}, ${tests.passed} passed, ${tests.failed} failed`);
  const review = report.reviews.at(-1);
  if (review) io.out(`  review:  ${review.verdict} — ${review.summary}`);
  if (report.result?.diffPath) io.out(`  diff:    ${report.result.diffPath} (${report.result.filesChanged} file(s))`);
  if (report.result?.branch)
    io.out(
      `  branch:  ${report.result.branch} in ${report.repo.path} (${report.result.commit?.slice(0, 10)})` +
        (report.repo.url === null ? '' : `, the cached clone of ${report.repo.url}`),
    );
  if (report.result?.answerPath) io.out(`  answer:  ${report.result.answerPath}`);
  io.out(`  report:  ${outcome.files.report}`);
  io.out(`  json:    ${outcome.files.reportJson}`);
  io.out(`  trace:   ${outcome.files.trace}`);
  io.out(
    `  usage:   ${report.usage.calls} model calls, ${formatTokenTotal(report.usage)}, $${report.usage.costUsd.toFixed(4)}${report.scripted ? ' (scripted)' : ''}, ${formatDuration(report.timings.durationMs)}`,
  );
  if (report.answer !== null) {
    io.out('');
    io.out(report.answer);
  }
}

/**
 * Runs a resolved task with a local crew and prints live progress and a summary.
 * Returns the exit code: 0 approved (or answered), 1 otherwise.
 */
export async function executeTask(task: ResolvedTask, config: Config, io: Io, opts: ExecuteOptions): Promise<number> {
  const checkpoints = opts.checkpoints ?? (await openRunCheckpoints(config.dataDir));
  try {
    return await executeWithCheckpoints(task, config, io, opts, checkpoints);
  } finally {
    if (opts.checkpoints === undefined) await checkpoints.close();
  }
}

async function executeWithCheckpoints(
  task: ResolvedTask,
  config: Config,
  io: Io,
  opts: ExecuteOptions,
  checkpoints: CheckpointStore,
): Promise<number> {
  const scripted = await startScriptedModels(task);
  try {
    if (!opts.json) announceModels(io, task, scripted.scripts);
    const say = opts.json ? () => undefined : (line: string) => io.out(line);
    const crew = await startCrew({
      config,
      coderConcurrency: task.parallelism,
      say,
      withWorker: opts.withWorker !== false,
      // Named after the task, the embedded NATS's store outlives a killed run: `codecrew resume` finds its results.
      natsStore: `task-${task.taskId}`,
    });
    if (opts.withWorker === false)
      say('worker: none in this process; jobs go to `codecrew worker` processes on this NATS');
    // The pool (sandbox.warm per kind) fills while the task is being prepared.
    crew.prewarm(task.sandbox);
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      io.err(`codecrew: ${signal}: cancelling the task (jobs are stopped and sandboxes removed)…`);
      controller.abort(`interrupted by ${signal}`);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    // Lines typed in the terminal while the task runs steer it (see `codecrew say`).
    let terminal = opts.json ? null : steerFromTerminal(crew.bus, scripted.task.taskId, io);
    try {
      const printer = new ProgressPrinter((line) => io.out(line), { color: io.color, verbose: opts.verbose });
      const events = opts.json
        ? null
        : await crew.bus.subscribeEvents(scripted.task.taskId, (event) => printer.handle(event));
      if (!opts.json) io.out(`Task ${task.name} (${task.taskId}), output in ${task.outDir}`);
      if (terminal !== null) io.out('Type a line and press Enter to tell the agents something while they work.');
      const run = { task: scripted.task, bus: crew.bus, checkpoints, signal: controller.signal };
      let outcome = await runTask(run);
      // A plan held for approval is shown and decided on here; the graph resumes from its checkpoint.
      while (outcome.status === 'awaiting_approval') {
        // The answer is read from the terminal, so lines typed there are not sent to the agents meanwhile.
        terminal?.stop();
        const planVerdict = await askPlanDecision(outcome, io);
        if (terminal !== null) terminal = steerFromTerminal(crew.bus, scripted.task.taskId, io);
        outcome = await runTask({ ...run, planVerdict });
      }
      await events?.stop();
      if (opts.json) io.out(JSON.stringify(outcome.report, null, 2));
      else summarize(io, outcome);
      if (outcome.status === 'cancelled') return 130;
      return outcome.status === 'approved' || outcome.status === 'answered' ? 0 : 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      terminal?.stop();
      await crew.close();
    }
  } finally {
    await scripted.close();
  }
}
