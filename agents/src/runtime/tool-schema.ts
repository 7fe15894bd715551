/**
 * Tool argument schemas in the form OpenAI's strict mode takes (see
 * `strictSchemaProblems` in @codecrew/llm), made from the JSON Schema zod
 * writes: every object closed and with every property required, an optional
 * property as one that may be `null`, `default` and the keywords strict mode
 * refuses left out (zod still checks them when the arguments arrive), and the
 * bounds zod writes for every `.int()` dropped. A model that sends `null` for an
 * optional argument means "not given": {@link withoutNullOptionals} takes such
 * nulls out before the arguments are validated.
 */
type Schema = Record<string, unknown>;

const KEPT_KEYWORDS = new Set([
  'type',
  'description',
  'title',
  'enum',
  'const',
  'anyOf',
  '$ref',
  '$defs',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
]);

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function acceptsNull(schema: Schema): boolean {
  if (schema.type === 'null') return true;
  if (Array.isArray(schema.type) && schema.type.includes('null')) return true;
  if (Array.isArray(schema.enum) && schema.enum.includes(null)) return true;
  return Array.isArray(schema.anyOf) && schema.anyOf.some((branch) => isSchema(branch) && acceptsNull(branch));
}

function withDefaultDescribed(schema: Schema, value: unknown): Schema {
  const note = `default ${JSON.stringify(value)}`;
  const description = typeof schema.description === 'string' ? schema.description : '';
  if (description.toLowerCase().includes('default')) return schema;
  return { ...schema, description: description === '' ? `Default: ${note.slice(8)}` : `${description}; ${note}` };
}

/** A schema that also takes `null`: a type list where it can be, else `anyOf` with null. */
function orNull(schema: Schema): Schema {
  if (acceptsNull(schema)) return schema;
  const plainType = typeof schema.type === 'string' && schema.enum === undefined && schema.const === undefined;
  if (plainType) return { ...schema, type: [schema.type, 'null'] };
  const { description, ...rest } = schema;
  const nullable: Schema = { anyOf: [rest, { type: 'null' }] };
  if (description !== undefined) nullable.description = description;
  return nullable;
}

function strictNode(node: unknown): unknown {
  if (!isSchema(node)) return node;
  let out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (!KEPT_KEYWORDS.has(key)) continue;
    if (
      (key === 'minimum' || key === 'maximum') &&
      typeof value === 'number' &&
      Math.abs(value) >= Number.MAX_SAFE_INTEGER
    )
      continue;
    out[key] = value;
  }
  if (node.default !== undefined) out = withDefaultDescribed(out, node.default);
  if (isSchema(node.properties) || node.type === 'object') {
    const properties = isSchema(node.properties) ? node.properties : {};
    const required = new Set(Array.isArray(node.required) ? node.required : []);
    const strictProperties: Schema = {};
    for (const [key, child] of Object.entries(properties)) {
      const strictChild = strictNode(child) as Schema;
      strictProperties[key] = required.has(key) ? strictChild : orNull(strictChild);
    }
    out.properties = strictProperties;
    out.required = Object.keys(strictProperties);
    out.additionalProperties = false;
  }
  if (node.items !== undefined) out.items = strictNode(node.items);
  if (Array.isArray(node.anyOf)) out.anyOf = node.anyOf.map(strictNode);
  if (isSchema(node.$defs)) {
    out.$defs = Object.fromEntries(
      Object.entries(node.$defs).map(([name, definition]) => [name, strictNode(definition)]),
    );
  }
  return out;
}

/** The strict-mode form of a tool's argument schema (a JSON Schema object as zod writes it). */
export function toStrictSchema(schema: Schema): Schema {
  return strictNode(schema) as Schema;
}

function resolveRef(schema: Schema, root: Schema): Schema {
  if (typeof schema.$ref !== 'string') return schema;
  if (schema.$ref === '#') return root;
  const name = /^#\/\$defs\/(.+)$/.exec(schema.$ref)?.[1];
  const definition = name === undefined || !isSchema(root.$defs) ? undefined : root.$defs[name];
  return isSchema(definition) ? definition : schema;
}

function dropNulls(value: unknown, node: Schema, root: Schema): unknown {
  const schema = resolveRef(node, root);
  if (Array.isArray(value)) {
    return isSchema(schema.items) ? value.map((item) => dropNulls(item, schema.items as Schema, root)) : value;
  }
  if (!isSchema(value) || !isSchema(schema.properties)) return value;
  const properties = schema.properties;
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const property = properties[key];
    if (!isSchema(property)) {
      out[key] = item;
      continue;
    }
    if (item === null && !required.has(key) && !acceptsNull(resolveRef(property, root))) continue;
    out[key] = dropNulls(item, property, root);
  }
  return out;
}

/**
 * The arguments with every `null` taken out where the tool's own schema
 * (`schema`, as zod writes it, before {@link toStrictSchema}) has an optional
 * property that does not take null: in strict mode that null means "not given".
 */
export function withoutNullOptionals(args: unknown, schema: Schema): unknown {
  return dropNulls(args, schema, schema);
}
