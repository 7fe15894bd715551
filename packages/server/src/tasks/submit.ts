import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import {
  CodecrewError,
  TaskSpec,
  isCodecrewError,
  modelChoiceOf,
  parseRepoUrl,
  parseYamlWith,
  type Config,
  type RoleModel,
} from '@codecrew/core';
import { SCRIPTED_PREFIX, preflightTask, resolveTask, type ResolvedTask } from '@codecrew/orchestrator';
import { jsonErrorOffset, positionOf } from '../api/json-position.ts';
import { parseRequest, type RequestIssue } from '../api/validate.ts';
import { checkRemoteRepoUrl } from './repo-url-policy.ts';

/** What a submitted task is checked against. */
export interface AdmissionRules {
  config: Config;
  /** Relative paths in a submitted spec are resolved against this directory. */
  cwd: string;
  /** `--model` of `codecrew serve`: every role of every task uses it. */
  modelOverride?: string;
  /** When set, every path a task names (a `file://` repo.url too) must lie under one of these directories. */
  allowedRepoRoots?: readonly string[];
  /** When set, a remote repo.url must start with one of these prefixes (default: `config.server.allowedRepoUrls`). */
  allowedRepoUrls?: readonly string[];
}

/** How a request body is written. */
export type BodyFormat = 'yaml' | 'json';

/** Reads a task spec from a request body: every problem with its field path, and line:column for YAML. */
export function parseTaskBody(text: string, format: BodyFormat): TaskSpec {
  if (format === 'yaml') {
    try {
      return parseYamlWith(text, TaskSpec, 'request body', 'SPEC_INVALID');
    } catch (error) {
      if (!isCodecrewError(error)) throw error;
      const issues = ((error.details?.['issues'] as Array<RequestIssue & { file?: string }> | undefined) ?? []).map(
        ({ file: _file, ...issue }) => issue,
      );
      throw new CodecrewError(error.code, error.message, { details: { issues } });
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CodecrewError('REQUEST_INVALID', `the request body is not valid JSON: ${(error as Error).message}`, {
      details: { issues: [{ path: '(json)', message: (error as Error).message, ...jsonPosition(text) }] },
    });
  }
  return parseRequest(TaskSpec, value, 'the task spec', 'SPEC_INVALID');
}

/** Line and column of a JSON syntax error. */
function jsonPosition(text: string): { line?: number; column?: number } {
  const offset = jsonErrorOffset(text);
  return offset === null ? {} : positionOf(text, offset);
}

const asAbsolute = (path: string, cwd: string) => (isAbsolute(path) ? path : resolve(cwd, path));

function absoluteModel(model: RoleModel, cwd: string): RoleModel {
  const choice = modelChoiceOf(model);
  if (!choice.name.startsWith(SCRIPTED_PREFIX)) return model;
  const name = `${SCRIPTED_PREFIX}${asAbsolute(choice.name.slice(SCRIPTED_PREFIX.length), cwd)}`;
  return typeof model === 'string' ? name : { ...choice, name };
}

/** The spec with every path in it absolute, so that it means the same from any working directory. */
export function withAbsolutePaths(spec: TaskSpec, cwd: string): TaskSpec {
  const body = spec.spec;
  const models =
    body.models === undefined
      ? undefined
      : Object.fromEntries(Object.entries(body.models).map(([role, model]) => [role, absoluteModel(model, cwd)]));
  const output =
    body.output === undefined
      ? undefined
      : {
          ...body.output,
          ...(body.output.patch === undefined ? {} : { patch: asAbsolute(body.output.patch, cwd) }),
          ...(body.output.dir === undefined ? {} : { dir: asAbsolute(body.output.dir, cwd) }),
        };
  return {
    ...spec,
    spec: {
      ...body,
      repo: body.repo.path === undefined ? body.repo : { ...body.repo, path: asAbsolute(body.repo.path, cwd) },
      ...(models === undefined ? {} : { models }),
      ...(output === undefined ? {} : { output }),
    },
  };
}

/** The real path of `path`, or of its nearest existing parent joined with the rest. */
function realPathOf(path: string): string {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const real = realpathSync(existing);
  return existing === path ? real : resolve(real, relative(existing, path));
}

/** Every path a spec makes the server read or write, by field. */
function pathsOf(spec: TaskSpec): Array<[string, string]> {
  const body = spec.spec;
  const paths: Array<[string, string]> = [];
  if (body.repo.path !== undefined) paths.push(['spec.repo.path', body.repo.path]);
  const url = body.repo.url === undefined ? null : parseRepoUrl(body.repo.url);
  if (url !== null && !('problem' in url) && url.filePath !== null) paths.push(['spec.repo.url', url.filePath]);
  if (body.output?.patch !== undefined) paths.push(['spec.output.patch', body.output.patch]);
  if (body.output?.dir !== undefined) paths.push(['spec.output.dir', body.output.dir]);
  for (const [role, model] of Object.entries(body.models ?? {})) {
    const { name } = modelChoiceOf(model);
    if (name.startsWith(SCRIPTED_PREFIX)) paths.push([`spec.models.${role}`, name.slice(SCRIPTED_PREFIX.length)]);
  }
  return paths;
}

/** REPO_NOT_ALLOWED naming each path of the spec that is outside every allowed root. */
function checkAllowedRoots(spec: TaskSpec, roots: readonly string[]): void {
  const realRoots = roots.map((root) => realPathOf(resolve(root)));
  const inside = (path: string) =>
    realRoots.some((root) => {
      const rest = relative(root, path);
      return rest === '' || (!rest.startsWith('..') && !isAbsolute(rest));
    });
  const outside = pathsOf(spec)
    .filter(([, path]) => !inside(realPathOf(path)))
    .map(([field]) => ({ path: field, message: 'outside every directory of server.allowedRepoRoots' }));
  if (outside.length > 0) {
    throw new CodecrewError(
      'REPO_NOT_ALLOWED',
      `${outside.map((issue) => issue.path).join(', ')} ${outside.length === 1 ? 'is' : 'are'} outside the directories this server allows (server.allowedRepoRoots)`,
      { details: { issues: outside } },
    );
  }
}

/**
 * Checks a submitted spec as `codecrew run` would before starting it: its paths (against
 * `server.allowedRepoRoots` when set), a remote repo.url (against `server.allowedRepoUrls`), its
 * models and prices, the repository, ref and branch name; a repo.url is cloned into the cache or
 * fetched into it here. Returns the spec with absolute paths and no URL credentials (what the
 * store keeps) and the task it resolves to.
 */
export async function admitTask(
  spec: TaskSpec,
  taskId: string,
  rules: AdmissionRules,
): Promise<{ spec: TaskSpec; task: ResolvedTask }> {
  const absolute = withAbsolutePaths(spec, rules.cwd);
  if (rules.allowedRepoRoots !== undefined && rules.allowedRepoRoots.length > 0)
    checkAllowedRoots(absolute, rules.allowedRepoRoots);
  const repoUrl = absolute.spec.repo.url;
  if (repoUrl !== undefined) {
    checkRemoteRepoUrl(repoUrl, {
      allowedRepoRoots: rules.allowedRepoRoots,
      allowedRepoUrls: rules.allowedRepoUrls ?? rules.config.server?.allowedRepoUrls,
    });
  }
  const task = resolveStoredTask(absolute, taskId, rules);
  await preflightTask(task, repoUrl === undefined ? {} : { repoUrl });
  return { spec: withoutRepoCredentials(absolute), task };
}

/**
 * The spec with its repo.url's credentials removed: what the store keeps and the API shows. The
 * clone is made at admission, so running the task later needs no credential.
 */
export function withoutRepoCredentials(spec: TaskSpec): TaskSpec {
  const url = spec.spec.repo.url === undefined ? null : parseRepoUrl(spec.spec.repo.url);
  if (url === null || 'problem' in url || url.redacted === spec.spec.repo.url) return spec;
  return { ...spec, spec: { ...spec.spec, repo: { ...spec.spec.repo, url: url.redacted } } };
}

/** How the API names a task's repository: its absolute path, or its URL without credentials. */
export function repoLabelOfSpec(spec: TaskSpec): string {
  const { path, url } = spec.spec.repo;
  if (url === undefined) return path ?? '';
  const parsed = parseRepoUrl(url);
  return 'problem' in parsed ? url : parsed.redacted;
}

/** The task a stored spec (absolute paths) resolves to under this server's configuration. */
export function resolveStoredTask(spec: TaskSpec, taskId: string, rules: AdmissionRules): ResolvedTask {
  return resolveTask(spec, rules.config, {
    specDir: rules.cwd,
    taskId,
    cwd: rules.cwd,
    ...(rules.modelOverride === undefined ? {} : { modelOverride: rules.modelOverride }),
  });
}
