import { CodecrewError, emptyUsage, type JobOutput, type TestReport } from '@codecrew/core';
import { runRecorded } from '../tools/shell.ts';
import type { RoleRun } from '../runtime/role.ts';
import { parseTestOutput } from './parse/index.ts';

const EXCERPT = 6000;

/**
 * Runs a tester job: the test command in a fresh sandbox. The exit code and the
 * counts parsed from the output are the result; no model is asked.
 */
export const runTester: RoleRun = async ({ job, tools: context, artifacts }) => {
  if (job.input.role !== 'tester') throw new CodecrewError('INTERNAL', 'not a tester job');
  const command = job.input.command;
  await context.ready;
  const result = await runRecorded(context.sandbox, command, {
    signal: context.signal,
    emit: context.emit,
    commands: context.commands,
    timeoutMs: job.sandbox.commandTimeoutMs,
  });
  const output = `${result.stdout}\n${result.stderr}`;
  const counts = parseTestOutput(output);
  const log = await artifacts.put(
    `tasks/${job.taskId}/logs/${job.id}.log`,
    Buffer.from(`$ ${command}\n${result.stdout}\n--- stderr ---\n${result.stderr}`),
  );
  const combined = output.trim();
  const report: TestReport = {
    command,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    passed: counts.passed,
    failed: counts.failed,
    skipped: counts.skipped,
    framework: counts.recognised ? counts.framework : 'unknown',
    durationMs: result.durationMs,
    outputExcerpt: combined.length > EXCERPT ? `…${combined.slice(-EXCERPT)}` : combined,
    log,
  };
  const verdict = report.exitCode === 0 ? 'passed' : 'failed';
  context.emit('tests', `tests ${verdict}: ${report.passed} passed, ${report.failed} failed`, {
    exitCode: report.exitCode,
    passed: report.passed,
    failed: report.failed,
    skipped: report.skipped,
    framework: report.framework,
  });
  const jobOutput: JobOutput = { role: 'tester', report };
  return { output: jobOutput, usage: emptyUsage(), steps: 1 };
};
