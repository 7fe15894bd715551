import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { CodecrewError } from '@codecrew/core';
import { JSON_TYPES, YAML_TYPES } from '../api/operations.ts';
import { deliveryRoutes } from '../routes/delivery.ts';
import { eventRoutes } from '../routes/events.ts';
import { followupRoutes } from '../routes/followups.ts';
import { taskListEventRoutes } from '../routes/task-list-events.ts';
import { metaRoutes } from '../routes/meta.ts';
import { messageRoutes } from '../routes/messages.ts';
import { outputRoutes } from '../routes/outputs.ts';
import { planRoutes } from '../routes/plan.ts';
import { taskRoutes } from '../routes/tasks.ts';
import { VIEWER_ROUTES, viewerRoutes } from '../routes/viewer.ts';
import { bearerCheck } from './auth.ts';
import type { ApiContext } from './context.ts';
import { apiError, errorBody } from './errors.ts';

/** How the HTTP side is set up. */
export interface AppOptions {
  /** Every request must carry `Authorization: Bearer <token>` when set. */
  token: string | null;
  /** Largest request body, in bytes. */
  maxBodyBytes: number;
  openApi: Record<string, unknown>;
  /** The built viewer served at `/` and `/assets/*`; default the viewer package's `dist` folder. */
  viewerDir?: string;
}

/** Fastify's own errors, as the API's codes. */
function fromFastify(error: FastifyError): CodecrewError {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return apiError('BODY_TOO_LARGE', 'the request body is larger than this server accepts (server.maxBodySize)');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? apiError('MEDIA_TYPE_UNSUPPORTED', 'send application/yaml or application/json')
        : apiError('REQUEST_INVALID', 'the Content-Length does not match the body');
    default:
      return apiError('REQUEST_INVALID', `the request cannot be read: ${error.message}`);
  }
}

function sendError(reply: FastifyReply, error: unknown, log: (line: string) => void): FastifyReply {
  const known =
    error instanceof CodecrewError
      ? error
      : typeof error === 'object' && error !== null && 'statusCode' in error && Number(error.statusCode) < 500
        ? fromFastify(error as FastifyError)
        : error;
  const { status, body } = errorBody(known);
  if (status >= 500) log(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  if (status === 401) void reply.header('www-authenticate', 'Bearer');
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** The fastify instance of the API: its routes, auth, body parsing and error shape. */
export function buildApp(ctx: ApiContext, options: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: options.maxBodyBytes,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
    frameworkErrors: (error, _request, reply) => void sendError(reply, error, ctx.log),
  });
  // Bodies are read as text: the task routes parse YAML and JSON themselves, to report every problem with its place.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...YAML_TYPES, ...JSON_TYPES], { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );

  if (options.token !== null) {
    const check = bearerCheck(options.token);
    app.addHook('onRequest', async (request) => {
      // The viewer's static files carry no data; its calls under /v1 still need the token.
      if (VIEWER_ROUTES.has(request.routeOptions.url ?? '')) return;
      if (!check(request.headers.authorization)) {
        throw apiError('AUTH_REQUIRED', 'this server needs Authorization: Bearer <token> (codecrew serve --token)');
      }
    });
  }
  app.setErrorHandler((error, _request, reply) => sendError(reply, error, ctx.log));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      apiError('ROUTE_NOT_FOUND', `no ${request.method} ${request.url.split('?')[0]}; see /openapi.json`),
      ctx.log,
    ),
  );

  taskRoutes(app, ctx);
  deliveryRoutes(app, ctx);
  planRoutes(app, ctx);
  messageRoutes(app, ctx);
  followupRoutes(app, ctx);
  eventRoutes(app, ctx);
  taskListEventRoutes(app, ctx);
  outputRoutes(app, ctx);
  metaRoutes(app, ctx, options.openApi);
  viewerRoutes(app, options.viewerDir);
  return app;
}
