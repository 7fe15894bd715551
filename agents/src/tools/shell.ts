import { z } from 'zod';
import type { CommandRecord } from '@codecrew/core';
import type { ExecResult, Sandbox } from '@codecrew/sandbox';
import { defineTool, text, type EmitEvent } from '../runtime/tool.ts';

const EXCERPT = 4000;

function excerpt(value: string): string {
  if (value.length <= EXCERPT) return value;
  return `${value.slice(0, EXCERPT / 2)}\n…\n${value.slice(-EXCERPT / 2)}`;
}

/**
 * Runs a command in the sandbox, records it for the report and announces it
 * in the trace. Used by the `shell` tool and by the tester.
 */
export async function runRecorded(
  sandbox: Sandbox,
  command: string,
  opts: { timeoutMs?: number; signal: AbortSignal; emit: EmitEvent; commands: CommandRecord[] },
): Promise<ExecResult> {
  const at = new Date().toISOString();
  opts.emit('command.started', command, { command });
  const execOptions: { signal: AbortSignal; timeoutMs?: number } = { signal: opts.signal };
  if (opts.timeoutMs !== undefined) execOptions.timeoutMs = opts.timeoutMs;
  const result = await sandbox.exec(command, execOptions);
  opts.commands.push({
    command,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    truncated: result.truncated,
    durationMs: result.durationMs,
    stdout: excerpt(result.stdout),
    stderr: excerpt(result.stderr),
    at,
  });
  const status = result.timedOut ? 'timed out' : result.oomKilled ? 'killed: out of memory' : `exit ${result.exitCode}`;
  opts.emit('command.finished', `${command} → ${status}`, {
    command,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    oomKilled: result.oomKilled,
    durationMs: result.durationMs,
    stdoutTail: result.stdout.slice(-1500),
    stderrTail: result.stderr.slice(-1500),
  });
  return result;
}

/** `shell {command, timeout_ms?}` → `{exit_code, stdout, stderr, truncated}`. */
export const shellTool = defineTool({
  name: 'shell',
  description:
    'Run a bash command in the workspace (the repository root) inside the sandbox. There is no network. Returns JSON with exit_code, stdout, stderr, truncated.',
  schema: z.object({
    command: z.string().min(1).describe('The bash command line to run.'),
    timeout_ms: z.number().int().positive().max(3_600_000).optional().describe('Wall-clock limit for this command.'),
  }),
  async run(args, ctx) {
    const opts: Parameters<typeof runRecorded>[2] = { signal: ctx.signal, emit: ctx.emit, commands: ctx.commands };
    if (args.timeout_ms !== undefined) opts.timeoutMs = args.timeout_ms;
    const result = await runRecorded(ctx.sandbox, args.command, opts);
    const payload: Record<string, unknown> = {
      exit_code: result.exitCode,
      stdout: result.stdout,
      stderr: result.stderr,
      truncated: result.truncated,
    };
    if (result.timedOut) payload.timed_out = true;
    if (result.oomKilled) payload.out_of_memory = true;
    return text(JSON.stringify(payload));
  },
});
