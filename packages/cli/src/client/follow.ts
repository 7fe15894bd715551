import type { Io } from '../io.ts';
import { ProgressPrinter } from '../progress/printer.ts';
import type { ApiClient } from './api-client.ts';
import { exitCodeOf } from './options.ts';

/**
 * Prints a task's events as `codecrew run` prints its progress, live until the task ends, then its result;
 * returns the exit code of its status.
 */
export async function followTask(client: ApiClient, id: string, io: Io, opts: { verbose: boolean }): Promise<number> {
  const printer = new ProgressPrinter((line) => io.out(line), { color: io.color, verbose: opts.verbose });
  const end = await client.follow(id, (event) => printer.handle(event));
  const task = await client.get(id).catch(() => null);
  io.out('');
  io.out(`Result: ${end.status ?? 'deleted'}${task?.error ? ` — ${task.error.code}: ${task.error.message}` : ''}`);
  if (task?.result) {
    const { result } = task;
    if (result.tests) io.out(`  tests:   ${result.tests.passed} passed, ${result.tests.failed} failed`);
    if (result.review) io.out(`  review:  ${result.review.verdict}`);
    if (result.branch)
      io.out(`  branch:  ${result.branch} (${result.commit?.slice(0, 10) ?? ''}), ${result.files_changed} file(s)`);
    io.out(
      `  usage:   ${task.usage.model_calls} model calls, ${task.usage.tokens} tokens, $${task.usage.cost_usd.toFixed(4)}`,
    );
  }
  return exitCodeOf(end.status);
}
