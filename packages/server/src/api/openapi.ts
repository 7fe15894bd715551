import { z } from 'zod';
import { TaskSpec } from '@codecrew/core';
import { OPERATIONS, type Operation } from './operations.ts';
import { ErrorBody, EventLine, Health, JobLog, TaskCreated, TaskList, TaskListItem, TaskView } from './schemas.ts';

/** Schemas named under components.schemas; the operations refer to them. */
const COMPONENTS: Record<string, z.ZodType> = {
  TaskSpec,
  TaskCreated,
  TaskView,
  TaskListItem,
  TaskList,
  EventLine,
  JobLog,
  Health,
  Error: ErrorBody,
};

const JSON_SCHEMA_OPTIONS = { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' } as const;
const refTo = (id: string) => `#/components/schemas/${id}`;

type JsonSchema = Record<string, unknown>;

/** The components and a way to name a schema: by reference when it is a component, inline otherwise. */
function schemaBook(): { components: Record<string, JsonSchema>; ref(schema: z.ZodType): JsonSchema } {
  const registry = z.registry<{ id: string }>();
  const ids = new Map<z.ZodType, string>();
  for (const [id, schema] of Object.entries(COMPONENTS)) {
    registry.add(schema, { id });
    ids.set(schema, id);
  }
  const all = z.toJSONSchema(registry, { ...JSON_SCHEMA_OPTIONS, uri: refTo }) as {
    schemas: Record<string, JsonSchema>;
  };
  const components: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(all.schemas)) {
    const { $schema: _schema, $id: _id, ...rest } = schema;
    components[id] = rest;
  }
  return {
    components,
    ref: (schema) => {
      const id = ids.get(schema);
      if (id !== undefined) return { $ref: refTo(id) };
      const { $schema: _schema, ...rest } = z.toJSONSchema(schema, JSON_SCHEMA_OPTIONS) as JsonSchema;
      return rest;
    },
  };
}

function parametersOf(shape: z.ZodObject | undefined, where: 'path' | 'query', book: ReturnType<typeof schemaBook>) {
  if (shape === undefined) return [];
  return Object.entries(shape.shape as Record<string, z.ZodType>).map(([name, schema]) => {
    const json = book.ref(schema);
    const { description, ...rest } = json;
    return {
      name,
      in: where,
      required: where === 'path' || !schema.safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function operationObject(operation: Operation, book: ReturnType<typeof schemaBook>): Record<string, unknown> {
  const parameters = [
    ...parametersOf(operation.params, 'path', book),
    ...parametersOf(operation.query, 'query', book),
    ...(operation.headers ?? []).map((header) => ({
      name: header.name,
      in: 'header',
      required: false,
      description: header.description,
      schema: header.schema,
    })),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(operation.responses)) {
    const types = response.contentTypes ?? (response.schema === undefined ? [] : ['application/json']);
    const content: Record<string, unknown> = {};
    for (const type of types) {
      const textual = type.startsWith('text/') && type !== 'text/event-stream';
      content[type] = {
        schema: textual || response.schema === undefined ? { type: 'string' } : book.ref(response.schema),
      };
    }
    if (status !== '204' && types.length === 0) content['application/json'] = { schema: {} };
    responses[status] = { description: response.description, ...(Object.keys(content).length > 0 ? { content } : {}) };
  }
  responses['401'] = {
    description: 'The server has a token and the request did not carry it (AUTH_REQUIRED)',
    content: { 'application/json': { schema: { $ref: refTo('Error') } } },
  };
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description === undefined ? {} : { description: operation.description }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            description: operation.body.description,
            content: Object.fromEntries(
              operation.body.contentTypes.map((type) => [type, { schema: book.ref(operation.body!.schema) }]),
            ),
          },
        }),
    responses,
  };
}

/** The OpenAPI 3.1 document of the API, made from the zod schemas its routes validate with. */
export function openApiDocument(version: string): Record<string, unknown> {
  const book = schemaBook();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of Object.values(OPERATIONS) as Operation[]) {
    paths[operation.path] ??= {};
    paths[operation.path]![operation.method] = operationObject(operation, book);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'codecrew',
      version,
      description:
        'Tasks for a crew of coding agents: submit, watch live, fetch the diff and the report. Errors are {error: {code, message, details}} with stable codes.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    components: {
      schemas: book.components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{}, { bearer: [] }],
    paths,
  };
}
