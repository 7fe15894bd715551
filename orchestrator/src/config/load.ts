import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodecrewError, Config, parseYaml, yamlPositionOf } from '@codecrew/core';

const HERE = dirname(fileURLToPath(import.meta.url));

const PACKAGED_DEFAULTS = resolve(HERE, '../default.yaml');

/**
 * The built-in defaults file shipped with codecrew: the copy the built package carries in `dist/`
 * (made by `npm run build`), else the repository's own `config/default.yaml` (running from sources).
 */
export const DEFAULT_CONFIG_PATH = existsSync(PACKAGED_DEFAULTS)
  ? PACKAGED_DEFAULTS
  : resolve(HERE, '../../../config/default.yaml');

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function deepMerge(base: Plain, override: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isPlain(current) && isPlain(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** Environment variables that override configuration, and where they go. */
export const CONFIG_ENV: Record<string, string[]> = {
  NATS_URL: ['nats', 'url'],
  CODECREW_DATA_DIR: ['dataDir'],
  OPENAI_BASE_URL: ['models', 'endpoint', 'baseURL'],
  CODECREW_MODEL: ['models', 'default'],
  CODECREW_SANDBOX_IMAGE: ['sandbox', 'image'],
  CODECREW_NATS_BINARY: ['nats', 'binary'],
};

function fromEnv(env: NodeJS.ProcessEnv): Plain {
  let out: Plain = {};
  for (const [name, path] of Object.entries(CONFIG_ENV)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const layer = path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Plain;
    out = deepMerge(out, layer);
  }
  return out;
}

/**
 * Loads the configuration in layers: `config/default.yaml`, then
 * `codecrew.yaml` in `cwd` (or `file`), then environment variables. Relative
 * `dataDir` is resolved against `cwd`.
 */
export function loadConfig(opts: { cwd?: string; file?: string; env?: NodeJS.ProcessEnv } = {}): Config {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  let merged = parseYaml(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'), DEFAULT_CONFIG_PATH) as Plain;
  const userFile = opts.file ?? join(cwd, 'codecrew.yaml');
  if (opts.file !== undefined && !existsSync(userFile)) {
    throw new CodecrewError('FILE_NOT_FOUND', `config file ${userFile} does not exist`);
  }
  let userText: string | null = null;
  if (existsSync(userFile)) {
    userText = readFileSync(userFile, 'utf8');
    // Malformed YAML, several documents and alias bombs are YAML_INVALID with their line and column.
    const layer = parseYaml(userText, userFile) ?? {};
    if (!isPlain(layer))
      throw new CodecrewError('CONFIG_INVALID', `${userFile}:1:1  (root): expected a mapping of settings`);
    merged = deepMerge(merged, layer);
  }
  merged = deepMerge(merged, fromEnv(env));
  const result = Config.safeParse(merged);
  if (!result.success) {
    // Each position costs a parse of the file: a file with thousands of bad entries lists the first 50.
    const listed = result.error.issues.slice(0, 50);
    const more = result.error.issues.length - listed.length;
    const problems = listed
      .map((issue) => {
        const path = issue.path as PropertyKey[];
        const pos = userText === null ? null : yamlPositionOf(userText, path);
        const where = pos ? `${userFile}:${pos.line}:${pos.column}  ` : '';
        return `  ${where}${path.join('.') || '(root)'}: ${issue.message}`;
      })
      .join('\n');
    const rest = more > 0 ? `\n  ... and ${more} more` : '';
    throw new CodecrewError('CONFIG_INVALID', `the configuration is not valid:\n${problems}${rest}`);
  }
  const config = result.data;
  return { ...config, dataDir: resolve(cwd, config.dataDir) };
}
