import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { CodecrewError } from '@codecrew/core';
import { EvalInstance } from './instance.ts';

/** A line of an instances file that was skipped, and why. */
export interface InstanceProblem {
  line: number;
  /** The field at fault (`FAIL_TO_PASS.0`), or '' for the line as a whole. */
  field: string;
  message: string;
}

/** What an instances file held: the valid instances (with `repo` resolved) and the lines skipped. */
export interface LoadedInstances {
  instances: EvalInstance[];
  problems: InstanceProblem[];
}

/** Whether `repo` names a git URL rather than a path. */
export function isRepoUrl(repo: string): boolean {
  return /^(https?|ssh|git|file):\/\//.test(repo) || /^[\w.-]+@[\w.-]+:/.test(repo);
}

/**
 * Reads a JSON-lines instances file. Each bad line (not JSON, not an instance, a duplicate id) is
 * reported with its line number and field and skipped; the others are returned. A `repo` that is
 * a relative path is resolved against the file's folder.
 */
export function loadInstances(file: string): LoadedInstances {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CodecrewError('FILE_NOT_FOUND', `cannot read the instances file ${file}: ${(error as Error).message}`);
  }
  const instances: EvalInstance[] = [];
  const problems: InstanceProblem[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      problems.push({ line, field: '', message: `not JSON: ${(error as Error).message}` });
      return;
    }
    const parsed = EvalInstance.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push({ line, field: issue.path.join('.'), message: issue.message });
      return;
    }
    const instance = parsed.data;
    if (seen.has(instance.instance_id)) {
      problems.push({ line, field: 'instance_id', message: `${instance.instance_id} is already on an earlier line` });
      return;
    }
    seen.add(instance.instance_id);
    const repo =
      isRepoUrl(instance.repo) || isAbsolute(instance.repo) ? instance.repo : resolve(dirname(file), instance.repo);
    instances.push({ ...instance, repo });
  });
  return { instances, problems };
}

/** A problem as one line for the terminal and the report. */
export function formatProblem(file: string, problem: InstanceProblem): string {
  return `${file}:${problem.line}: ${problem.field === '' ? '' : `${problem.field}: `}${problem.message} (line skipped)`;
}
