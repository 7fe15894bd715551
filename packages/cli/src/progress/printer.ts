import { Usage, formatTokenTotal, type TraceEvent } from '@codecrew/core';
import { parseTestOutput } from '@codecrew/agents';

/** Colours for terminals that want them; plain text otherwise. */
function palette(enabled: boolean) {
  const wrap = (code: number) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text);
  return { dim: wrap(2), green: wrap(32), red: wrap(31), yellow: wrap(33), cyan: wrap(36), bold: wrap(1) };
}

/** A finished job's model usage for its progress line: calls, tokens (cached and reasoning among them) and cost. */
function usageOfEvent(value: unknown): string | null {
  const parsed = Usage.safeParse(value);
  if (!parsed.success || parsed.data.calls === 0) return null;
  const usage = parsed.data;
  const cost = usage.costUsd > 0 ? `, $${usage.costUsd.toFixed(4)}` : '';
  return `${usage.calls} model call${usage.calls === 1 ? '' : 's'}, ${formatTokenTotal(usage)}${cost}`;
}

/**
 * Turns the task's trace events into one line each, live: who is doing what,
 * which command, and pass/fail counts.
 */
export class ProgressPrinter {
  private readonly started = Date.now();
  private readonly c: ReturnType<typeof palette>;

  constructor(
    private readonly write: (line: string) => void,
    opts: { color: boolean; verbose: boolean },
  ) {
    this.c = palette(opts.color);
    this.verbose = opts.verbose;
  }

  private readonly verbose: boolean;

  private who(event: TraceEvent): string {
    if (!event.role) return 'crew';
    return event.subtaskId ? `${event.role} ${event.subtaskId}` : event.role;
  }

  private line(event: TraceEvent, text: string): void {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1).padStart(6);
    this.write(`${this.c.dim(`${seconds}s`)}  ${this.c.cyan(this.who(event).padEnd(12))} ${text}`);
  }

  /** Prints one event, if it is worth a line. */
  handle(event: TraceEvent): void {
    const c = this.c;
    const data = event.data;
    switch (event.kind) {
      case 'task.started':
      case 'plan':
      case 'plan.awaiting_approval':
      case 'plan.approved':
      case 'plan.edited':
      case 'plan.rejected':
      case 'merge':
      case 'review':
      case 'job.started':
        this.line(event, event.message);
        return;
      case 'log':
        if (event.role === undefined || this.verbose) this.line(event, c.dim(event.message));
        return;
      case 'job.finished': {
        const ok = data.status === 'succeeded';
        const usage = usageOfEvent(data.usage);
        this.line(event, (ok ? c.green(event.message) : c.red(event.message)) + (usage ? c.dim(` — ${usage}`) : ''));
        return;
      }
      case 'tool.call':
        if (data.tool === 'shell') return; // the command lines below say it better
        this.line(event, c.dim(`▸ ${event.message}`));
        return;
      case 'tool.result':
        if (data.ok === false) this.line(event, c.yellow(`! ${event.message}`));
        return;
      case 'command.started':
        this.line(event, `$ ${String(data.command ?? event.message)}`);
        return;
      case 'command.finished': {
        const exit = data.exitCode;
        const counts = parseTestOutput(`${String(data.stdoutTail ?? '')}\n${String(data.stderrTail ?? '')}`);
        const tally = counts.recognised ? ` (${counts.passed} passed, ${counts.failed} failed)` : '';
        const status = data.timedOut ? 'timed out' : `exit ${String(exit)}`;
        this.line(event, exit === 0 ? c.green(`  ✓ ${status}${tally}`) : c.red(`  ✗ ${status}${tally}`));
        return;
      }
      case 'tests': {
        const failed = data.exitCode !== 0 && data.skipped !== true;
        this.line(event, failed ? c.red(event.message) : c.green(event.message));
        return;
      }
      case 'task.finished':
        this.line(event, c.bold(event.message));
        return;
      case 'model.call':
        if (this.verbose) this.line(event, c.dim(event.message));
        return;
      default:
        if (this.verbose) this.line(event, c.dim(event.message));
    }
  }
}
