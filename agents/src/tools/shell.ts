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

/** The longest `timeout_ms` a shell call may ask for. */
export const MAX_SHELL_TIMEOUT_MS = 3_600_000;

/** What to try after a command ran out of time: it must not simply be run again. */
export function timeoutHint(durationMs: number, askedMs: number | undefined): string {
  const seconds = Math.round(durationMs / 1000);
  const limit = askedMs === undefined ? 'the default limit' : `timeout_ms ${askedMs}`;
  return [
    `The command was killed after ${seconds} s (${limit}). Do not run it again unchanged.`,
    'If it waited for input, make it non-interactive (flags like --yes or --no-watch, CI=1, < /dev/null).',
    'If it is a server or a watcher, start it in the background within one command and stop it there (cmd > /tmp/cmd.log 2>&1 & sleep 5; curl -s localhost:8080; kill %1): nothing started by one shell call is sure to outlive it.',
    `If it is a long build or test run, narrow it (one test file, one package, a filter) or raise timeout_ms (at most ${MAX_SHELL_TIMEOUT_MS}; the job's own time limit still applies).`,
  ].join(' ');
}

/** `shell {command, timeout_ms?}` → `{exit_code, stdout, stderr, truncated}` (plus `timed_out` and `hint` when it ran out of time). */
export const shellTool = defineTool({
  name: 'shell',
  description:
    'Run a bash command in the workspace (the repository root) inside the sandbox. Each call is a fresh, non-interactive shell: cd, variables and background processes do not carry over, and nothing can be typed into it. There is no network. Returns JSON with exit_code, stdout, stderr, truncated.',
  schema: z.object({
    command: z
      .string()
      .min(1)
      .describe('The bash command line to run, e.g. "npm test -- test/user.test.js 2>&1 | tail -50".'),
    timeout_ms: z
      .number()
      .int()
      .positive()
      .max(MAX_SHELL_TIMEOUT_MS)
      .optional()
      .describe(
        "Wall-clock limit for this command in milliseconds; default the sandbox's (5 minutes unless configured).",
      ),
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
    if (result.timedOut) {
      payload.timed_out = true;
      payload.hint = timeoutHint(result.durationMs, args.timeout_ms);
    }
    if (result.oomKilled) payload.out_of_memory = true;
    return text(JSON.stringify(payload));
  },
});
