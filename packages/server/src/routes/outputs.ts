import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { CommandRecord } from '@codecrew/core';
import type { TaskRecord } from '@codecrew/store';
import { JobParams, NoQuery, TaskParams, type JobLog } from '../api/schemas.ts';
import { OPERATIONS, routePath } from '../api/operations.ts';
import { parseRequest } from '../api/validate.ts';
import type { ApiContext } from '../http/context.ts';
import { apiError } from '../http/errors.ts';
import { hasEnded } from '../tasks/status.ts';

async function taskOf(ctx: ApiContext, params: unknown, query: unknown): Promise<TaskRecord> {
  const { id } = parseRequest(TaskParams, params, 'the path');
  parseRequest(NoQuery, query, 'the query');
  const record = await ctx.store.getTask(id);
  if (record === null) throw apiError('TASK_NOT_FOUND', `no task ${id}`, { id });
  return record;
}

/** A file of an ended task's output directory, or RESULT_NOT_READY saying why there is none. */
async function outputFile(record: TaskRecord, name: string, what: string): Promise<string> {
  const notReady = (why: string) =>
    apiError('RESULT_NOT_READY', `task ${record.id} has no ${what}: ${why}`, { id: record.id, status: record.status });
  if (!hasEnded(record.status)) throw notReady(`it is ${record.status}`);
  if (record.outDir === null) throw notReady('it ended before it started');
  try {
    return await readFile(join(record.outDir, name), 'utf8');
  } catch {
    throw notReady(`it ended (${record.status}) without one`);
  }
}

/** The commands of a job, from its result on the bus, else from the task's report. */
async function commandsOf(ctx: ApiContext, record: TaskRecord, jobId: string): Promise<CommandRecord[] | null> {
  const result = await ctx.bus.getResult(record.id, jobId).catch(() => null);
  if (result !== null) return result.commands;
  if (record.outDir === null) return null;
  try {
    const report = JSON.parse(await readFile(join(record.outDir, 'report.json'), 'utf8')) as {
      jobs?: Array<{ jobId: string; commands: CommandRecord[] }>;
    };
    return report.jobs?.find((job) => job.jobId === jobId)?.commands ?? null;
  } catch {
    return null;
  }
}

const withNewline = (text: string) => (text === '' || text.endsWith('\n') ? text : `${text}\n`);

/** A job's commands for people: each command, what it printed, and how it ended. */
function logText(commands: CommandRecord[]): string {
  return commands
    .map((c) => {
      const notes = [
        `exit ${c.exitCode ?? 'none'}`,
        ...(c.timedOut ? ['timed out'] : []),
        ...(c.truncated ? ['output truncated'] : []),
        `${Math.round(c.durationMs)} ms`,
      ];
      return `$ ${c.command}\n${withNewline(c.stdout)}${withNewline(c.stderr)}[${notes.join(', ')}]\n`;
    })
    .join('\n');
}

/** GET /v1/tasks/{id}/diff, /report, /report.md and /jobs/{jobId}/log. */
export function outputRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(routePath(OPERATIONS.taskDiff), async (request, reply) => {
    const record = await taskOf(ctx, request.params, request.query);
    const diff = await outputFile(record, 'diff.patch', 'diff');
    return reply.type('text/x-diff; charset=utf-8').send(diff);
  });

  app.get(routePath(OPERATIONS.taskReport), async (request, reply) => {
    const record = await taskOf(ctx, request.params, request.query);
    return reply.type('application/json; charset=utf-8').send(await outputFile(record, 'report.json', 'report'));
  });

  app.get(routePath(OPERATIONS.taskReportMarkdown), async (request, reply) => {
    const record = await taskOf(ctx, request.params, request.query);
    return reply.type('text/markdown; charset=utf-8').send(await outputFile(record, 'report.md', 'report'));
  });

  app.get(routePath(OPERATIONS.jobLog), async (request, reply) => {
    const { id, jobId } = parseRequest(JobParams, request.params, 'the path');
    const record = await taskOf(ctx, { id }, request.query);
    const commands = jobId.startsWith(`${id}-`) ? await commandsOf(ctx, record, jobId) : null;
    if (commands === null) {
      throw apiError('JOB_NOT_FOUND', `task ${id} has no finished job ${jobId}; report.json lists its jobs`, {
        id,
        jobId,
      });
    }
    if (/application\/json/i.test(request.headers.accept ?? '')) {
      const body: JobLog = {
        task_id: id,
        job_id: jobId,
        commands: commands.map((c) => ({
          command: c.command,
          exit_code: c.exitCode,
          timed_out: c.timedOut,
          truncated: c.truncated,
          duration_ms: c.durationMs,
          stdout: c.stdout,
          stderr: c.stderr,
          at: c.at,
        })),
      };
      return body;
    }
    return reply.type('text/plain; charset=utf-8').send(logText(commands));
  });
}
