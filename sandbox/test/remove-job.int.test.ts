import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerSandboxProvider, POOL_LABEL, STATE_DIR_LABEL } from '@codecrew/sandbox';
import { TEST_LIMITS, requireDockerAndImage, workspaceDir } from './docker-support.ts';
import { tempDir } from './helpers.ts';

const TASK = `sandbox-remove-job-${process.pid}`;
const JOB = `${TASK}-coder-s1`;

let docker: Dockerode;
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  docker = await requireDockerAndImage();
}, 900_000);

afterAll(async () => {
  const left = await docker.listContainers({ all: true, filters: { label: [`codecrew.task=${TASK}`] } });
  for (const c of left) await docker.getContainer(c.Id).remove({ force: true });
  for (const cleanup of cleanups) cleanup();
});

function workspace(name: string): string {
  const ws = workspaceDir(name);
  cleanups.push(ws.cleanup);
  return ws.dir;
}

describe('removing the sandboxes of a job taken over', () => {
  it("removes every sandbox of the job, whoever made it and pooled or not, and no other job's", async () => {
    const stateDir = tempDir('remove-job-state');
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    // The earlier deliveries: a worker on this host that is still listed as alive, one on another host, and a pooled sandbox.
    const here = new DockerSandboxProvider({ docker, stateDir: join(stateDir, 'here') });
    const elsewhere = new DockerSandboxProvider({
      docker,
      owner: 'another-host:4242',
      stateDir: join(stateDir, 'elsewhere'),
    });
    const pooled = new DockerSandboxProvider({ docker, warm: 1, stateDir: join(stateDir, 'pooled') });
    try {
      await pooled.prewarm(TEST_LIMITS);
      const labels = { task: TASK, job: JOB, role: 'coder' };
      const a = await here.create({ workspaceDir: workspace('remove-job-a'), limits: TEST_LIMITS, labels });
      const b = await elsewhere.create({ workspaceDir: workspace('remove-job-b'), limits: TEST_LIMITS, labels });
      const c = await pooled.create({ workspaceDir: workspace('remove-job-c'), limits: TEST_LIMITS, labels });
      const other = await here.create({
        workspaceDir: workspace('remove-job-other'),
        limits: TEST_LIMITS,
        labels: { task: TASK, job: `${TASK}-coder-s2`, role: 'coder' },
      });
      const pooledLabels = (await docker.getContainer(c.id).inspect()).Config.Labels;
      expect(pooledLabels[POOL_LABEL]).toBe('1'); // its job labels live beside it, not on it
      const pooledState = pooledLabels[STATE_DIR_LABEL] ?? '';
      expect(existsSync(pooledState)).toBe(true);

      const removed = await new DockerSandboxProvider({ docker }).removeJob(JOB);
      expect(removed.sort()).toEqual([a.id, b.id, c.id].sort());
      const left = (await here.list())
        .filter((info) => info.labels.task === TASK)
        .map((info) => [info.id, info.labels.job]);
      expect(left).toEqual([[other.id, `${TASK}-coder-s2`]]);
      expect(existsSync(pooledState)).toBe(false);
      expect(await new DockerSandboxProvider({ docker }).removeJob(JOB)).toEqual([]);
      await other.destroy();
    } finally {
      await pooled.close();
    }
  });
});
