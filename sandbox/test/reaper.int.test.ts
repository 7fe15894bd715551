import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerSandboxProvider, startReaper } from '@codecrew/sandbox';
import { TEST_LIMITS, containersOfTask, requireDockerAndImage, workspaceDir } from './docker-support.ts';

const TASK = `sandbox-reap-${process.pid}`;

/** The pid of a process that has exited (and been waited for), so nothing runs under it. */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$']);
  return Number(child.stdout.toString().trim());
}

let docker: Dockerode;
let ws: { dir: string; cleanup: () => void };

beforeAll(async () => {
  docker = await requireDockerAndImage();
  ws = workspaceDir('reaper-int');
}, 900_000);

afterAll(async () => {
  for (const id of await containersOfTask(docker, TASK)) await docker.getContainer(id).remove({ force: true });
  ws?.cleanup();
});

describe('reaping orphaned sandboxes', () => {
  it('removes containers whose owner process is dead and keeps live ones', async () => {
    const dead = new DockerSandboxProvider({ docker, owner: `${hostname()}:${deadPid()}` });
    const alive = new DockerSandboxProvider({ docker });
    const elsewhere = new DockerSandboxProvider({ docker, owner: `some-other-host:${deadPid()}` });
    const orphan = await dead.create({
      workspaceDir: ws.dir,
      limits: TEST_LIMITS,
      labels: { task: TASK, job: 'orphan', role: 'coder' },
    });
    const live = await alive.create({
      workspaceDir: ws.dir,
      limits: TEST_LIMITS,
      labels: { task: TASK, job: 'live', role: 'coder' },
    });
    const foreign = await elsewhere.create({
      workspaceDir: ws.dir,
      limits: TEST_LIMITS,
      labels: { task: TASK, job: 'foreign', role: 'coder' },
    });

    const mine = (await alive.list()).filter((info) => info.labels.task === TASK);
    expect(mine.map((info) => [info.labels.job, info.ownerAlive]).sort()).toEqual([
      ['foreign', true],
      ['live', true],
      ['orphan', false],
    ]);

    const reaped = await alive.reap();
    expect(reaped).toContain(orphan.id);
    expect((await containersOfTask(docker, TASK)).sort()).toEqual([live.id, foreign.id].sort());
    await live.destroy();
    await foreign.destroy();
  });

  it('startReaper reaps on its interval and stops', async () => {
    const dead = new DockerSandboxProvider({ docker, owner: `${hostname()}:${deadPid()}` });
    const orphan = await dead.create({
      workspaceDir: ws.dir,
      limits: TEST_LIMITS,
      labels: { task: TASK, job: 'timer', role: 'coder' },
    });
    const provider = new DockerSandboxProvider({ docker });
    const reaper = startReaper(provider, 200);
    try {
      const deadline = Date.now() + 20_000;
      while ((await containersOfTask(docker, TASK)).includes(orphan.id) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      reaper.stop();
    }
    expect(await containersOfTask(docker, TASK)).toEqual([]);
  });
});
