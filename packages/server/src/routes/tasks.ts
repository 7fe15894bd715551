import { rm } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { newId } from '@codecrew/core';
import { ListQuery, NoQuery, TaskParams } from '../api/schemas.ts';
import { JSON_TYPES, OPERATIONS, YAML_TYPES, routePath } from '../api/operations.ts';
import { parseRequest } from '../api/validate.ts';
import type { ApiContext } from '../http/context.ts';
import { apiError } from '../http/errors.ts';
import { hasEnded } from '../tasks/status.ts';
import { admitTask, parseTaskBody, repoLabelOfSpec, type BodyFormat } from '../tasks/submit.ts';
import { linksOf, listItemOf, viewOf } from '../tasks/view.ts';

/** The media type of a request, without parameters, lower case. */
export function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function bodyFormatOf(header: string | undefined): BodyFormat {
  const type = mediaTypeOf(header);
  if (YAML_TYPES.includes(type)) return 'yaml';
  if (JSON_TYPES.includes(type)) return 'json';
  throw apiError(
    'MEDIA_TYPE_UNSUPPORTED',
    `send the task file as application/yaml or application/json, not "${type}"`,
    {
      contentType: type,
    },
  );
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

async function taskOrNotFound(ctx: ApiContext, id: string) {
  const record = await ctx.store.getTask(id);
  if (record === null) throw apiError('TASK_NOT_FOUND', `no task ${id}`, { id });
  return record;
}

/** POST /v1/tasks, GET /v1/tasks, GET and DELETE /v1/tasks/{id}, POST /v1/tasks/{id}/cancel. */
export function taskRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post(routePath(OPERATIONS.createTask), async (request, reply) => {
    parseRequest(NoQuery, request.query, 'the query');
    const format = bodyFormatOf(request.headers['content-type']);
    const text = typeof request.body === 'string' ? request.body : '';
    if (text.trim() === '') throw apiError('REQUEST_INVALID', 'the body is empty; send a task file', { issues: [] });
    const keyHeader = request.headers['idempotency-key'];
    const key = Array.isArray(keyHeader) ? keyHeader[0] : keyHeader;
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw apiError('REQUEST_INVALID', 'Idempotency-Key must be 1 to 200 visible ASCII characters', {
        issues: [{ path: 'Idempotency-Key', message: '1 to 200 visible ASCII characters' }],
      });
    }
    const spec = parseTaskBody(text, format);
    const id = newId('t');
    const admitted = await admitTask(spec, id, ctx.rules);
    const { task, created } = await ctx.store.createTask({
      id,
      name: spec.metadata.name,
      repo: repoLabelOfSpec(admitted.spec),
      spec: admitted.spec,
      idempotencyKey: key ?? null,
    });
    if (created) {
      ctx.log(`task ${task.id} (${task.name}) queued`);
      ctx.feed.notify(task.id);
      ctx.scheduler.pump();
    }
    const links = linksOf(task.id);
    return reply
      .code(created ? 201 : 200)
      .header('location', links.self)
      .send({ id: task.id, status: task.status, links });
  });

  app.get(routePath(OPERATIONS.listTasks), async (request) => {
    const query = parseRequest(ListQuery, request.query, 'the query');
    const page = await ctx.store.listTasks({
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.name === undefined ? {} : { name: query.name }),
      ...(query.repo === undefined ? {} : { repo: query.repo }),
      ...(query.parent === undefined ? {} : { parent: query.parent }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
    return { tasks: page.tasks.map(listItemOf), next_cursor: page.nextCursor };
  });

  app.get(routePath(OPERATIONS.getTask), async (request) => {
    const { id } = parseRequest(TaskParams, request.params, 'the path');
    parseRequest(NoQuery, request.query, 'the query');
    return viewOf(await taskOrNotFound(ctx, id));
  });

  app.delete(routePath(OPERATIONS.deleteTask), async (request, reply) => {
    const { id } = parseRequest(TaskParams, request.params, 'the path');
    parseRequest(NoQuery, request.query, 'the query');
    const record = await taskOrNotFound(ctx, id);
    if (!hasEnded(record.status)) {
      throw apiError('TASK_NOT_ENDED', `task ${id} is ${record.status}; cancel it first, then delete it`, {
        id,
        status: record.status,
      });
    }
    await ctx.store.deleteTask(id);
    await ctx.checkpoints.deleteTask(id);
    if (record.outDir) await rm(record.outDir, { recursive: true, force: true });
    ctx.log(`task ${id} (${record.name}) deleted`);
    return reply.code(204).send();
  });

  app.post(routePath(OPERATIONS.cancelTask), async (request, reply) => {
    const { id } = parseRequest(TaskParams, request.params, 'the path');
    parseRequest(NoQuery, request.query, 'the query');
    const record = await ctx.scheduler.cancel(id, ctx.cancelWaitMs);
    ctx.feed.notify(id);
    return reply.code(hasEnded(record.status) ? 200 : 202).send(viewOf(record));
  });
}
