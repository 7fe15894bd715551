import {
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerSandboxProvider, DockerSandbox, POOL_LABEL, STATE_DIR_LABEL } from '@codecrew/sandbox';
import { TEST_LIMITS, requireDockerAndImage, workspaceDir } from './docker-support.ts';
import { tempDir } from './helpers.ts';

const TASK = `sandbox-pool-${process.pid}`;

let docker: Dockerode;
let stateDir: string;

/** Containers whose state directory lies under this file's own state root. */
async function ownContainers(root: string): Promise<Dockerode.ContainerInfo[]> {
  const all = await docker.listContainers({ all: true, filters: { label: ['codecrew.managed=1'] } });
  return all.filter((c) => (c.Labels[STATE_DIR_LABEL] ?? '').startsWith(`${root}/`));
}

function workspaceWith(name: string, files: Record<string, string>): { dir: string; cleanup: () => void } {
  const ws = workspaceDir(name);
  for (const [path, content] of Object.entries(files)) {
    writeFileSync(join(ws.dir, path), content);
    chownSync(join(ws.dir, path), 1000, 1000);
  }
  return ws;
}

beforeAll(async () => {
  docker = await requireDockerAndImage();
  stateDir = tempDir('pool-state');
}, 900_000);

afterAll(async () => {
  for (const c of await ownContainers(stateDir)) await docker.getContainer(c.Id).remove({ force: true });
  rmSync(stateDir, { recursive: true, force: true });
});

describe('the in-container runner', () => {
  it('runs commands with the same semantics as docker exec and falls back to it when the runner dies', async () => {
    const provider = new DockerSandboxProvider({ docker, stateDir: join(stateDir, 'runner') });
    const ws = workspaceWith('runner', { 'a.txt': 'from host\n' });
    const box = (await provider.create({
      workspaceDir: ws.dir,
      limits: TEST_LIMITS,
      labels: { task: TASK, job: 'r', role: 'coder' },
    })) as DockerSandbox;
    try {
      const first = await box.exec('cat a.txt; id -u; pwd; echo "$FOO" >&2; exit 4', { env: { FOO: 'bar' } });
      expect([first.exitCode, first.stdout, first.stderr, first.timedOut, first.oomKilled]).toEqual([
        4,
        'from host\n1000\n/workspace\n',
        'bar\n',
        false,
        false,
      ]);
      expect(box.usesRunner).toEqual(true);
      const sub = await box.exec('mkdir -p sub && cd sub && pwd');
      expect((await box.exec('pwd', { cwd: 'sub' })).stdout).toEqual('/workspace/sub\n');
      expect(sub.exitCode).toEqual(0);
      // The runner's parent keeps the container alive when the runner is gone.
      const killed = await box.exec(
        "pkill -KILL -x -f 'python3 -I -S /opt/codecrew/runner.py /run/codecrew/runner.sock'; sleep 5",
      );
      expect(killed.exitCode).toEqual(null);
      const after = await box.exec('echo still here; id -u');
      expect([after.exitCode, after.stdout, box.usesRunner]).toEqual([0, 'still here\n1000\n', false]);
    } finally {
      await box.destroy();
      ws.cleanup();
    }
    expect(await ownContainers(join(stateDir, 'runner'))).toEqual([]);
    expect(readdirSync(join(stateDir, 'runner'))).toEqual([]);
  });

  it('runs commands side by side, caps their output and says when a cwd is missing', async () => {
    const provider = new DockerSandboxProvider({ docker, stateDir: join(stateDir, 'side') });
    const ws = workspaceWith('side', {});
    const box = (await provider.create({
      workspaceDir: ws.dir,
      limits: TEST_LIMITS,
      labels: { task: TASK, job: 's', role: 'coder' },
    })) as DockerSandbox;
    try {
      const started = Date.now();
      const [a, b] = await Promise.all([box.exec('sleep 1; echo a'), box.exec('sleep 1; echo b >&2')]);
      expect([a.stdout, b.stderr, Date.now() - started < 1900]).toEqual(['a\n', 'b\n', true]);
      const big = await box.exec('seq 1 100000; seq 1 50000 >&2', { maxOutputBytes: 1000 });
      expect([
        big.exitCode,
        big.truncated,
        big.stdout.startsWith('1\n2\n'),
        big.stdout.endsWith('99999\n100000\n'),
        big.stderr.endsWith('50000\n'),
      ]).toEqual([0, true, true, true, true]);
      const missing = await box.exec('pwd', { cwd: 'nope' });
      expect([missing.exitCode, missing.stdout, missing.stderr.includes('/workspace/nope')]).toEqual([126, '', true]);
      expect(box.usesRunner).toEqual(true);
    } finally {
      await box.destroy();
      ws.cleanup();
    }
  });

  it('runs without the runner when told to', async () => {
    const provider = new DockerSandboxProvider({ docker, runner: false, stateDir: join(stateDir, 'plain') });
    const ws = workspaceWith('plain', {});
    const box = (await provider.create({
      workspaceDir: ws.dir,
      limits: TEST_LIMITS,
      labels: { task: TASK, job: 'p', role: 'coder' },
    })) as DockerSandbox;
    try {
      const result = await box.exec('echo plain');
      expect([result.exitCode, result.stdout, box.usesRunner]).toEqual([0, 'plain\n', false]);
      const info = await docker.getContainer(box.id).inspect();
      expect(info.Config.Cmd).toEqual(['sleep', 'infinity']);
    } finally {
      await box.destroy();
      ws.cleanup();
    }
  });
});

describe('the warm pool', () => {
  it('hands out a started container with the workspace moved into its mount', async () => {
    const root = join(stateDir, 'warm');
    const provider = new DockerSandboxProvider({ docker, warm: 1, stateDir: root });
    const ws = workspaceWith('warm', { 'hello.txt': 'hello\n' });
    try {
      await provider.prewarm(TEST_LIMITS);
      const idle = await ownContainers(root);
      expect(idle.map((c) => [c.Labels[POOL_LABEL], c.Labels['codecrew.role'], c.State])).toEqual([
        ['1', 'pool', 'running'],
      ]);
      const box = (await provider.create({
        workspaceDir: ws.dir,
        limits: TEST_LIMITS,
        labels: { task: TASK, job: 'w', role: 'coder' },
      })) as DockerSandbox;
      expect(box.id).toEqual(idle[0]?.Id);
      expect(box.workspaceDir).toEqual(ws.dir);
      const result = await box.exec('cat hello.txt; echo made > new.txt; id -u');
      expect([result.exitCode, result.stdout]).toEqual([0, 'hello\n1000\n']);
      expect(readFileSync(join(ws.dir, 'new.txt'), 'utf8')).toEqual('made\n');
      writeFileSync(join(ws.dir, 'host.txt'), 'from host later\n');
      expect((await box.exec('cat host.txt')).stdout).toEqual('from host later\n');
      const listed = (await provider.list()).find((info) => info.id === box.id);
      expect(listed?.labels).toEqual({ task: TASK, job: 'w', role: 'coder', owner: provider.owner });
      await provider.poolSettled();
      const refilled = (await ownContainers(root)).filter((c) => c.Id !== box.id);
      expect(refilled.map((c) => c.State)).toEqual(['running']);
      await box.destroy();
    } finally {
      await provider.close();
      ws.cleanup();
    }
    expect(await ownContainers(root)).toEqual([]);
    expect(readdirSync(root)).toEqual([]);
  });

  it('keeps read-only and writable sandboxes apart', async () => {
    const root = join(stateDir, 'ro');
    const provider = new DockerSandboxProvider({ docker, warm: 1, stateDir: root });
    const ws = workspaceWith('ro', { 'r.txt': 'read me\n' });
    try {
      await provider.prewarm(TEST_LIMITS, { readOnly: true });
      const [pooledId] = (await ownContainers(root)).map((c) => c.Id);
      const box = await provider.create({
        workspaceDir: ws.dir,
        readOnly: true,
        limits: TEST_LIMITS,
        labels: { task: TASK, job: 'ro', role: 'reviewer' },
      });
      expect(box.id).toEqual(pooledId);
      const result = await box.exec('cat r.txt; touch x 2>/dev/null || echo refused');
      expect([result.exitCode, result.stdout]).toEqual([0, 'read me\nrefused\n']);
      await box.destroy();
    } finally {
      await provider.close();
      ws.cleanup();
    }
    expect(await ownContainers(root)).toEqual([]);
  });

  it('leaves pooled containers of a dead owner to the reaper, state directory included', async () => {
    const root = join(stateDir, 'reap');
    const orphanOwner = `${hostname()}:2147483646`;
    const orphan = new DockerSandboxProvider({ docker, warm: 1, stateDir: root, owner: orphanOwner });
    await orphan.prewarm(TEST_LIMITS);
    const pooled = await ownContainers(root);
    expect(pooled.map((c) => c.Labels['codecrew.owner'])).toEqual([orphanOwner]);
    const dir = pooled[0]?.Labels[STATE_DIR_LABEL] ?? '';
    expect(existsSync(dir)).toEqual(true);
    // Another test file's reaper may get there first; either way it is gone with its directory.
    await new DockerSandboxProvider({ docker, stateDir: root }).reap();
    expect(await ownContainers(root)).toEqual([]);
    expect(existsSync(dir)).toEqual(false);
  });

  it('removes old state directories no container names, and only those', async () => {
    const root = join(stateDir, 'stale');
    const provider = new DockerSandboxProvider({ docker, stateDir: root });
    const ws = workspaceWith('stale', {});
    const box = await provider.create({
      workspaceDir: ws.dir,
      limits: TEST_LIMITS,
      labels: { task: TASK, job: 'st', role: 'coder' },
    });
    try {
      const [live] = (await ownContainers(root)).map((c) => c.Labels[STATE_DIR_LABEL] ?? '');
      const hourAgo = new Date(Date.now() - 3600_000);
      for (const name of ['sb-stale', 'sb-fresh', 'other-old']) mkdirSync(join(root, name));
      for (const name of ['sb-stale', 'other-old', basename(live ?? '')])
        utimesSync(join(root, name), hourAgo, hourAgo);
      await provider.reap();
      expect(readdirSync(root).sort()).toEqual([basename(live ?? ''), 'other-old', 'sb-fresh'].sort());
    } finally {
      await box.destroy();
      ws.cleanup();
    }
  });
});
