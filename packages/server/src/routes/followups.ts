import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Plan } from '@codecrew/core';
import { commentIssues, revisionPlan, routeComments } from '@codecrew/orchestrator';
import type { TaskComment, TaskRecord } from '@codecrew/store';
import { CommentsBody, FollowupBody, type CommentView, type FollowupCreated } from '../api/followup-schemas.ts';
import { NoQuery, TaskParams } from '../api/schemas.ts';
import { JSON_TYPES, OPERATIONS, routePath } from '../api/operations.ts';
import { parseRequest } from '../api/validate.ts';
import type { ApiContext } from '../http/context.ts';
import { apiError } from '../http/errors.ts';
import { diffOf, followableResult, queueFollowup, reportOf } from '../tasks/followup.ts';
import { linksOf } from '../tasks/view.ts';
import { mediaTypeOf } from './tasks.ts';

/** The JSON body of a request, or REQUEST_INVALID / MEDIA_TYPE_UNSUPPORTED. */
function jsonBody(request: FastifyRequest): unknown {
  const type = mediaTypeOf(request.headers['content-type']);
  if (!JSON_TYPES.includes(type)) {
    throw apiError('MEDIA_TYPE_UNSUPPORTED', `send the body as application/json, not "${type}"`, { contentType: type });
  }
  const text = typeof request.body === 'string' ? request.body : '';
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw apiError('REQUEST_INVALID', `the request body is not valid JSON: ${(error as Error).message}`, {
      issues: [{ path: '(json)', message: (error as Error).message }],
    });
  }
}

async function taskOf(ctx: ApiContext, request: FastifyRequest): Promise<TaskRecord> {
  const { id } = parseRequest(TaskParams, request.params, 'the path');
  parseRequest(NoQuery, request.query, 'the query');
  const record = await ctx.store.getTask(id);
  if (record === null) throw apiError('TASK_NOT_FOUND', `no task ${id}`, { id });
  return record;
}

/** A comment as the API shows it. */
export function commentView(comment: TaskComment): CommentView {
  return {
    id: comment.id,
    path: comment.path,
    line: comment.line,
    body: comment.body,
    created_at: comment.createdAt,
    revision: comment.revision,
  };
}

function created(task: TaskRecord, parent: TaskRecord, branch: string, commit: string): FollowupCreated {
  return { id: task.id, status: 'queued', parent: parent.id, branch, base_commit: commit, links: linksOf(task.id) };
}

/** The prompt of a revision: the comments it addresses. */
function revisionPrompt(parent: TaskRecord, comments: readonly TaskComment[]): string {
  const lines = comments.map((c) => `- ${c.path}:${c.line}: ${c.body}`);
  return `Address the review comments on task ${parent.id}:\n${lines.join('\n')}`;
}

/** POST /v1/tasks/{id}/followups, GET and POST /v1/tasks/{id}/comments, POST /v1/tasks/{id}/revise. */
export function followupRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post(routePath(OPERATIONS.createFollowup), async (request, reply) => {
    const parent = await taskOf(ctx, request);
    const body = parseRequest(FollowupBody, jsonBody(request), 'the body');
    const { task, result } = await queueFollowup(ctx, parent, { prompt: body.prompt });
    const view = created(task, parent, result.branch, result.commit);
    return reply.code(201).header('location', view.links.self).send(view);
  });

  app.get(routePath(OPERATIONS.listComments), async (request) => {
    const record = await taskOf(ctx, request);
    return { comments: (await ctx.store.listComments(record.id)).map(commentView) };
  });

  app.post(routePath(OPERATIONS.addComments), async (request, reply) => {
    const record = await taskOf(ctx, request);
    const comments = parseRequest(CommentsBody, jsonBody(request), 'the body');
    const issues = commentIssues(comments, await diffOf(record));
    if (issues.length > 0) {
      throw apiError(
        'REQUEST_INVALID',
        `the comments are not on lines of task ${record.id}'s diff: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        { issues },
      );
    }
    const added = await ctx.store.addComments(record.id, comments);
    return reply.code(201).send({ comments: added.map(commentView) });
  });

  app.post(routePath(OPERATIONS.reviseTask), async (request, reply) => {
    const parent = await taskOf(ctx, request);
    await followableResult(parent);
    const pending = (await ctx.store.listComments(parent.id)).filter((c) => c.revision === null);
    if (pending.length === 0) {
      throw apiError(
        'NOTHING_TO_REVISE',
        `task ${parent.id} has no comment waiting for a revision; add comments first`,
        {
          id: parent.id,
        },
      );
    }
    const report = await reportOf(parent);
    const parentPlan = Plan.safeParse(report.plan);
    if (!parentPlan.success || parentPlan.data.subtasks.length === 0) {
      throw apiError('NO_RESULT_BRANCH', `task ${parent.id} has no plan whose subtasks could take the comments`, {
        id: parent.id,
      });
    }
    const routes = routeComments(pending, await diffOf(parent), report.provenance, parentPlan.data.subtasks);
    const plan = revisionPlan(parent.id, parentPlan.data, routes);
    const { task, result } = await queueFollowup(ctx, parent, { prompt: revisionPrompt(parent, pending), plan });
    await ctx.store.markCommentsRevised(
      parent.id,
      pending.map((c) => c.id),
      task.id,
    );
    const byComment = new Map(routes.map((route, index) => [pending[index]?.id ?? 0, route]));
    const view: FollowupCreated = {
      ...created(task, parent, result.branch, result.commit),
      routes: [...byComment.entries()].map(([id, route]) => ({ comment: id, subtask: route.subtaskId, by: route.by })),
    };
    return reply.code(201).header('location', view.links.self).send(view);
  });
}
