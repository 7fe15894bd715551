/**
 * The JSON Schema subset OpenAI's strict mode (Structured Outputs, `strict: true`
 * on a function tool) accepts, as its guide "Supported schemas" states it:
 *
 * - the root is an object, not `anyOf`;
 * - every object sets `additionalProperties: false` and lists every property in
 *   `required` (an optional field is a required one that may be `null`);
 * - types are string, number, integer, boolean, object, array and null, alone or
 *   as a list, with `enum`, `const`, `anyOf`, `$defs` and `$ref`;
 * - the only other keywords are `description` and `title`, `pattern` and
 *   `format` (date-time, time, date, duration, email, hostname, ipv4, ipv6,
 *   uuid) for strings, `minimum`, `maximum`, `exclusiveMinimum`,
 *   `exclusiveMaximum` and `multipleOf` for numbers, `minItems` and `maxItems`
 *   for arrays — so no `default`, `minLength`, `maxLength`, `allOf`, `not`...;
 * - at most 5000 object properties and 10 levels of object nesting;
 * - at most 1000 enum values in all; all property names, definition names,
 *   enum and const values together at most 120,000 characters.
 *
 * One more rule is codecrew's: a numeric bound at or past the safe-integer
 * limit (which zod writes for every `.int()`) says nothing and is refused, so
 * that schemas stay what a model can read.
 */
const ALLOWED_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
const ALLOWED_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid']);
const GENERAL_KEYWORDS = new Set(['type', 'description', 'title', 'enum', 'const', 'anyOf', '$ref', '$defs']);
const KEYWORDS_BY_TYPE: Record<string, readonly string[]> = {
  string: ['pattern', 'format'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  integer: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  object: ['properties', 'required', 'additionalProperties'],
  array: ['items', 'minItems', 'maxItems'],
};
const NUMERIC_BOUNDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'];
const MAX_PROPERTIES = 5000;
const MAX_OBJECT_DEPTH = 10;
const MAX_ENUM_VALUES = 1000;
const MAX_STRING_CHARS = 120_000;

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typesOf(schema: Schema): string[] {
  const type = schema.type;
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
  return [];
}

function where(path: string[]): string {
  return `In context=(${path.map((part) => `'${part}'`).join(', ')})`;
}

/** Every way `schema` breaks OpenAI's strict-mode rules; empty when strict mode accepts it. */
export function strictSchemaProblems(schema: unknown): string[] {
  const problems: string[] = [];
  let properties = 0;
  let enumValues = 0;
  let stringChars = 0;

  const visit = (node: unknown, path: string[], depth: number): void => {
    if (!isSchema(node)) {
      problems.push(`${where(path)}, a schema must be an object, not ${JSON.stringify(node)}`);
      return;
    }
    const types = typesOf(node);
    for (const type of types) {
      if (!ALLOWED_TYPES.has(type)) problems.push(`${where(path)}, type '${type}' is not supported`);
    }
    const isComposite = node.anyOf !== undefined || node.$ref !== undefined || node.const !== undefined;
    if (types.length === 0 && !isComposite && node.enum === undefined) {
      problems.push(`${where(path)}, schema must have a 'type' key`);
    }
    const allowed = new Set([...GENERAL_KEYWORDS, ...types.flatMap((type) => KEYWORDS_BY_TYPE[type] ?? [])]);
    for (const key of Object.keys(node)) {
      if (!allowed.has(key)) problems.push(`${where(path)}, '${key}' is not permitted`);
    }
    if (typeof node.format === 'string' && !ALLOWED_FORMATS.has(node.format)) {
      problems.push(`${where(path)}, format '${node.format}' is not supported`);
    }
    for (const bound of NUMERIC_BOUNDS) {
      const value = node[bound];
      if (typeof value === 'number' && !(Math.abs(value) < Number.MAX_SAFE_INTEGER)) {
        problems.push(`${where(path)}, '${bound}' ${value} is at or past the safe-integer limit; leave the bound out`);
      }
    }
    if (Array.isArray(node.enum)) {
      enumValues += node.enum.length;
      for (const value of node.enum) if (typeof value === 'string') stringChars += value.length;
    }
    if (typeof node.const === 'string') stringChars += node.const.length;

    if (types.includes('object')) {
      const props = isSchema(node.properties) ? node.properties : {};
      const keys = Object.keys(props);
      properties += keys.length;
      if (depth + 1 > MAX_OBJECT_DEPTH) {
        problems.push(`${where(path)}, objects are nested more than ${MAX_OBJECT_DEPTH} levels deep`);
      }
      if (node.additionalProperties !== false) {
        problems.push(`${where(path)}, 'additionalProperties' is required to be supplied and to be false`);
      }
      const required = Array.isArray(node.required) ? new Set(node.required) : null;
      const missing = keys.filter((key) => required === null || !required.has(key));
      if (missing.length > 0) {
        problems.push(
          `${where(path)}, 'required' is required to be supplied and to be an array including every key in properties. Missing ${missing.map((key) => `'${key}'`).join(', ')}`,
        );
      }
      for (const key of keys) {
        stringChars += key.length;
        visit(props[key], [...path, 'properties', key], depth + 1);
      }
    }
    if (types.includes('array')) {
      if (node.items === undefined) problems.push(`${where(path)}, an array needs 'items'`);
      else visit(node.items, [...path, 'items'], depth);
    }
    if (node.anyOf !== undefined) {
      if (!Array.isArray(node.anyOf) || node.anyOf.length === 0)
        problems.push(`${where(path)}, 'anyOf' must be a non-empty array`);
      else node.anyOf.forEach((branch, index) => visit(branch, [...path, 'anyOf', String(index)], depth));
    }
    if (node.$defs !== undefined) {
      if (!isSchema(node.$defs)) problems.push(`${where(path)}, '$defs' must be an object`);
      else
        for (const [name, definition] of Object.entries(node.$defs)) {
          stringChars += name.length;
          visit(definition, [...path, '$defs', name], depth);
        }
    }
  };

  if (!isSchema(schema) || schema.anyOf !== undefined || !typesOf(schema).includes('object')) {
    problems.push(`${where([])}, the root schema must be an object (type 'object'), not anyOf`);
  }
  visit(schema, [], 0);
  if (properties > MAX_PROPERTIES) problems.push(`the schema has ${properties} properties; at most ${MAX_PROPERTIES}`);
  if (enumValues > MAX_ENUM_VALUES)
    problems.push(`the schema has ${enumValues} enum values; at most ${MAX_ENUM_VALUES}`);
  if (stringChars > MAX_STRING_CHARS) {
    problems.push(`property names, enum and const values take ${stringChars} characters; at most ${MAX_STRING_CHARS}`);
  }
  return problems;
}

/** A function tool of a request body, in either API's shape, with whether it asks for strict mode. */
interface RequestTool {
  name: string;
  parameters: unknown;
  strict: boolean;
}

function requestTools(tools: unknown): RequestTool[] {
  if (!Array.isArray(tools)) return [];
  const out: RequestTool[] = [];
  for (const tool of tools) {
    if (!isSchema(tool) || tool.type !== 'function') continue;
    // Chat Completions nests the function; the Responses API does not.
    const fn = isSchema(tool.function) ? tool.function : tool;
    if (typeof fn.name !== 'string') continue;
    out.push({ name: fn.name, parameters: fn.parameters, strict: fn.strict === true });
  }
  return out;
}

/**
 * The error OpenAI answers a request with when a tool sent with `strict: true`
 * has a schema strict mode does not accept; null when every strict tool is valid.
 */
export function strictToolsError(tools: unknown): string | null {
  for (const tool of requestTools(tools)) {
    if (!tool.strict) continue;
    const [problem] = strictSchemaProblems(tool.parameters);
    if (problem !== undefined) return `Invalid schema for function '${tool.name}': ${problem}.`;
  }
  return null;
}
