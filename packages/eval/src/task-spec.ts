import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TaskSpec } from '@codecrew/core';
import { SCRIPTED_PREFIX } from '@codecrew/orchestrator';
import type { EvalInstance } from './instance.ts';
import type { EvalSet } from './result.ts';

/** A metadata name for the instance: lowercase, dashes, at most 63 characters. */
export function taskNameFor(instance: EvalInstance, set: EvalSet): string {
  const slug = instance.instance_id
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `eval-${set}-${slug}`.slice(0, 63).replace(/-+$/, '');
}

/**
 * The codecrew task for an instance: mode code on the working clone at base_commit, the problem
 * statement as the prompt, the instance's image as the sandbox image. `solo` is one coder with no
 * planner (`spec.plan.decompose: false`); `crew` plans and decomposes as usual.
 */
export function taskSpecFor(
  instance: EvalInstance,
  set: Exclude<EvalSet, 'gold'>,
  opts: { repoPath: string; outDir: string; attempts?: number },
): TaskSpec {
  return TaskSpec.parse({
    apiVersion: 'codecrew/v1',
    kind: 'Task',
    metadata: { name: taskNameFor(instance, set), labels: { eval: instance.instance_id, set } },
    spec: {
      repo: { path: opts.repoPath, ref: instance.base_commit },
      mode: 'code',
      prompt: instance.problem_statement,
      ...(opts.attempts === undefined ? {} : { attempts: opts.attempts }),
      ...(instance.image === undefined ? {} : { sandbox: { image: instance.image } }),
      ...(set === 'solo' ? { plan: { decompose: false } } : {}),
      output: { dir: opts.outDir },
    },
  });
}

/**
 * The model for one instance. `scripted:DIR` with DIR a folder picks `DIR/<id>.<set>.yaml` when it
 * exists, else `DIR/<id>.yaml`; any other value is every instance's model.
 */
export function modelFor(model: string, instance: EvalInstance, set: EvalSet): string {
  if (!model.startsWith(SCRIPTED_PREFIX)) return model;
  const path = resolve(model.slice(SCRIPTED_PREFIX.length));
  if (!existsSync(path) || !statSync(path).isDirectory()) return model;
  const forSet = join(path, `${instance.instance_id}.${set}.yaml`);
  return `${SCRIPTED_PREFIX}${existsSync(forSet) ? forSet : join(path, `${instance.instance_id}.yaml`)}`;
}
