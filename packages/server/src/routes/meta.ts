import type { FastifyInstance } from 'fastify';
import { NoQuery } from '../api/schemas.ts';
import { OPERATIONS, routePath } from '../api/operations.ts';
import { parseRequest } from '../api/validate.ts';
import type { ApiContext } from '../http/context.ts';

/** GET /openapi.json and GET /healthz. */
export function metaRoutes(app: FastifyInstance, ctx: ApiContext, openApi: Record<string, unknown>): void {
  const document = JSON.stringify(openApi);
  app.get(routePath(OPERATIONS.openapi), async (request, reply) => {
    parseRequest(NoQuery, request.query, 'the query');
    return reply.type('application/json; charset=utf-8').send(document);
  });

  app.get(routePath(OPERATIONS.health), async (request, reply) => {
    parseRequest(NoQuery, request.query, 'the query');
    const health = await ctx.health();
    return reply.code(health.status === 'ok' ? 200 : 503).send(health);
  });
}
