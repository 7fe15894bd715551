import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** Writes a task spec for `repo` into `dir` and returns its path. */
export async function writeTaskFile(
  dir: string,
  opts: { name: string; repo: string; prompt: string; model?: string; extra?: Record<string, unknown> },
): Promise<string> {
  const spec = {
    apiVersion: 'codecrew/v1',
    kind: 'Task',
    metadata: { name: opts.name },
    spec: {
      repo: { path: opts.repo },
      prompt: opts.prompt,
      ...(opts.model ? { models: { default: opts.model } } : {}),
      ...opts.extra,
    },
  };
  const path = join(dir, `${opts.name}.yaml`);
  await writeFile(path, stringify(spec));
  return path;
}
