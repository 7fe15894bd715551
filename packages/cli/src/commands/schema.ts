import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Config, TaskSpec } from '@codecrew/core';
import { EvalInstance } from '@codecrew/eval/instance';
import { ModelScript } from '@codecrew/llm/script';
import type { Io } from '../io.ts';

/** The JSON Schemas codecrew publishes for editors and other tools. */
export function jsonSchemas(): Record<string, unknown> {
  const make = (schema: z.ZodType, id: string, title: string) => ({
    ...(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>),
    $id: id,
    title,
  });
  return {
    'task-spec.schema.json': make(
      TaskSpec,
      'urn:codecrew:schema:task-spec:v1',
      'codecrew task spec (codecrew/v1 Task)',
    ),
    'config.schema.json': make(
      Config.partial(),
      'urn:codecrew:schema:config:v1',
      'codecrew configuration (codecrew.yaml)',
    ),
    'model-script.schema.json': make(
      ModelScript,
      'urn:codecrew:schema:model-script:v1',
      'codecrew scripted model script (version 1)',
    ),
    'eval-instance.schema.json': make(
      EvalInstance,
      'urn:codecrew:schema:eval-instance:v1',
      'codecrew eval instance (one line of an instances .jsonl file)',
    ),
  };
}

/** `codecrew schema [--write DIR]`: prints or writes the JSON Schemas. */
export async function schemaCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { write: { type: 'string' } } });
  const schemas = jsonSchemas();
  if (values.write === undefined) {
    io.out(JSON.stringify(schemas, null, 2));
    return 0;
  }
  const dir = resolve(values.write);
  await mkdir(dir, { recursive: true });
  for (const [name, schema] of Object.entries(schemas)) {
    await writeFile(join(dir, name), `${JSON.stringify(schema, null, 2)}\n`);
    io.out(`wrote ${join(dir, name)}`);
  }
  return 0;
}
