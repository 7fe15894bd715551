import type { FastifyInstance, FastifyRequest } from 'fastify';
import { newSteeringMessage, steeringEvent, steeringTargetLabel, type TraceEvent } from '@codecrew/core';
import { MessageBody, type MessageSent } from '../api/message-schemas.ts';
import { JSON_TYPES, OPERATIONS, routePath } from '../api/operations.ts';
import { NoQuery, TaskParams } from '../api/schemas.ts';
import { parseRequest } from '../api/validate.ts';
import type { ApiContext } from '../http/context.ts';
import { apiError } from '../http/errors.ts';
import { hasEnded } from '../tasks/status.ts';
import { crewOf, resolveTarget, runningFor } from '../tasks/steering-target.ts';
import { mediaTypeOf } from './tasks.ts';

/** Events read from the store at a time. */
const PAGE = 1_000;

/** The request's JSON body; MEDIA_TYPE_UNSUPPORTED when it is not JSON, REQUEST_INVALID when it does not parse. */
function jsonBodyOf(request: FastifyRequest): unknown {
  const type = mediaTypeOf(request.headers['content-type']);
  if (!JSON_TYPES.includes(type)) {
    throw apiError('MEDIA_TYPE_UNSUPPORTED', `send the message as application/json, not "${type}"`, {
      contentType: type,
    });
  }
  const text = typeof request.body === 'string' ? request.body : '';
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw apiError('REQUEST_INVALID', `the body is not JSON: ${reason}`, {
      issues: [{ path: '(root)', message: reason }],
    });
  }
}

/** Every stored event of a task, oldest first. */
async function eventsOf(ctx: ApiContext, taskId: string): Promise<TraceEvent[]> {
  const events: TraceEvent[] = [];
  for (let after = 0; ;) {
    const page = await ctx.store.readEvents(taskId, after, PAGE);
    events.push(...page.map((stored) => stored.event));
    if (page.length < PAGE) return events;
    after = page.at(-1)?.seq ?? after;
  }
}

/** POST /v1/tasks/{id}/messages: a message from the user to a running task's agents. */
export function messageRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post(routePath(OPERATIONS.sendMessage), async (request, reply) => {
    const { id } = parseRequest(TaskParams, request.params, 'the path');
    parseRequest(NoQuery, request.query, 'the query');
    const record = await ctx.store.getTask(id);
    if (record === null) throw apiError('TASK_NOT_FOUND', `no task ${id}`, { id });
    if (hasEnded(record.status)) {
      throw apiError('TASK_ENDED', `task ${id} has ended (${record.status}); no agent is left to read a message`, {
        id,
        status: record.status,
      });
    }
    const body = parseRequest(MessageBody, jsonBodyOf(request), 'the body');
    const crew = crewOf(await eventsOf(ctx, id));
    const target = resolveTarget(body.to, crew);
    const message = newSteeringMessage(id, body.text, target);
    const running = runningFor(id, target, crew);
    const to = steeringTargetLabel(target);
    // The event goes first, so that the trace shows the message before any job says it received it.
    await ctx.bus.publishEvent(steeringEvent(message, running));
    await ctx.bus.publishSteering(message);
    const sent: MessageSent = {
      id: message.id,
      task_id: id,
      to,
      target: target.kind,
      text: message.text,
      at: message.at,
      running,
    };
    return reply.code(202).send(sent);
  });
}
