import { chownSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxLimits } from '@codecrew/core';
import { BubblewrapSandboxProvider, createSandboxProvider } from '@codecrew/sandbox';

// What only the bubblewrap driver does: cgroup limits without a daemon,
// host-tool fallback, state files and reaping, the factory's fallback.
const ROOT = join(import.meta.dirname, '..', '..');
const LIMITS: SandboxLimits = {
  image: 'auto',
  cpus: 0.5,
  memoryBytes: 128 * 1024 * 1024,
  pids: 64,
  tmpBytes: 8 * 1024 * 1024,
  commandTimeoutMs: 20_000,
  maxOutputBytes: 16 * 1024,
};

describe('bubblewrap driver', () => {
  let parent: string;
  let ws: string;
  let dataDir: string;
  const task = `bwrap-int-${process.pid}`;
  const labels = (job: string): { task: string; job: string; role: string } => ({ task, job, role: 'coder' });

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'codecrew-bwrap-int-'));
    ws = join(parent, 'ws');
    mkdirSync(ws);
    chownSync(ws, 1000, 1000);
    dataDir = join(parent, 'data');
  });

  afterAll(() => {
    if (parent !== undefined) rmSync(parent, { recursive: true, force: true });
  });

  const imageProvider = (): BubblewrapSandboxProvider =>
    new BubblewrapSandboxProvider({ dataDir: join(ROOT, '.codecrew'), rootfs: 'image' });

  it('enforces the pids, memory and CPU limits in a cgroup and reports an OOM kill', async () => {
    const provider = imageProvider();
    await provider.ensureReady();
    expect(provider.enforcesLimits).toEqual(true);
    const sandbox = await provider.create({ workspaceDir: ws, limits: LIMITS, labels: labels('limits') });
    try {
      const hog = await sandbox.exec('python3 -c "x = bytearray(400 * 1024 * 1024); print(len(x))"');
      expect([hog.exitCode, hog.oomKilled, hog.timedOut, hog.stdout]).toEqual([137, true, false, '']);
      const after = await sandbox.exec('echo alive');
      expect([after.stdout, after.oomKilled]).toEqual(['alive\n', false]);
      const forks = await sandbox.exec('for i in $(seq 200); do sleep 5 & done; echo started', { timeoutMs: 3000 });
      expect(forks.stderr).toContain('fork: retry: Resource temporarily unavailable');
      expect((await sandbox.exec('cat /proc/self/cgroup >/dev/null; echo alive')).stdout).toEqual('alive\n');
      const tmp = await sandbox.exec(
        `head -c ${LIMITS.tmpBytes + 1024 * 1024} /dev/zero > /tmp/fill; echo "rc=$?"; df -B1 --output=size /tmp | tail -1 | tr -d ' '`,
      );
      expect(tmp.stdout).toEqual(`rc=1\n${LIMITS.tmpBytes}\n`);
    } finally {
      await sandbox.destroy();
    }
  });

  it('kills background processes when the command exits, and an aborted command', async () => {
    const provider = imageProvider();
    const sandbox = await provider.create({ workspaceDir: ws, limits: LIMITS, labels: labels('bg') });
    try {
      const r = await sandbox.exec('(sleep 30; touch late.txt) & echo bg');
      expect([r.exitCode, r.stdout]).toEqual([0, 'bg\n']);
      expect(r.durationMs).toBeLessThan(5000);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      await expect(sandbox.exec('sleep 30', { signal: controller.signal })).rejects.toMatchObject({
        code: 'CANCELLED',
      });
      expect(existsSync(join(ws, 'late.txt'))).toEqual(false);
    } finally {
      await sandbox.destroy();
    }
  });

  it('falls back to the host tools without an image rootfs', async () => {
    const provider = new BubblewrapSandboxProvider({ dataDir, rootfs: 'host' });
    await provider.ensureReady();
    const sandbox = await provider.create({ workspaceDir: ws, limits: LIMITS, labels: labels('host') });
    try {
      const r = await sandbox.exec('id -un; id -u; touch /usr/x 2>/dev/null || echo ro; ls /; echo ok > host-mode.txt');
      expect(r.stderr).toEqual('');
      expect(r.stdout.split('\n').slice(0, 3)).toEqual(['crew', '1000', 'ro']);
      expect(r.stdout).not.toContain('root\n');
      expect(existsSync(join(ws, 'host-mode.txt'))).toEqual(true);
    } finally {
      await sandbox.destroy();
    }
  });

  it('records sandboxes in state files and reaps those whose owner is gone', async () => {
    const { hostname } = await import('node:os');
    const elsewhere = new BubblewrapSandboxProvider({ dataDir, rootfs: 'host', owner: 'another-host:1' });
    const dead = new BubblewrapSandboxProvider({ dataDir, rootfs: 'host', owner: `${hostname()}:0` });
    const orphanOwner = new BubblewrapSandboxProvider({ dataDir, rootfs: 'host', owner: `${hostname()}:2147483646` });
    const live = new BubblewrapSandboxProvider({ dataDir, rootfs: 'host' });
    const away = await elsewhere.create({ workspaceDir: ws, limits: LIMITS, labels: labels('other-host') });
    const gone = await dead.create({ workspaceDir: ws, limits: LIMITS, labels: labels('dead') });
    const orphan = await orphanOwner.create({ workspaceDir: ws, limits: LIMITS, labels: labels('orphan') });
    const mine = await live.create({ workspaceDir: ws, limits: LIMITS, labels: labels('mine') });
    const listed = (await live.list()).map((info) => [info.labels.job, info.ownerAlive]).sort();
    // Owners on another host cannot be checked from here and count as alive.
    expect(listed).toEqual([
      ['dead', false],
      ['mine', true],
      ['orphan', false],
      ['other-host', true],
    ]);
    expect((await live.reap()).sort()).toEqual([gone.id, orphan.id].sort());
    // Their /tmp and $HOME mounts went with them.
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
    expect([mounts.includes(gone.id), mounts.includes(orphan.id), mounts.includes(mine.id)]).toEqual([
      false,
      false,
      true,
    ]);
    expect((await live.list()).map((info) => info.labels.job).sort()).toEqual(['mine', 'other-host']);
    await mine.destroy();
    await away.destroy();
    expect(await live.list()).toEqual([]);
    expect(readFileSync('/proc/self/mountinfo', 'utf8').includes(mine.id)).toEqual(false);
  });

  it('says what to install when bwrap is missing', async () => {
    const provider = new BubblewrapSandboxProvider({ dataDir, rootfs: 'host', bwrap: '/nonexistent/bwrap' });
    await expect(provider.ensureReady()).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
  });

  it('the factory picks Docker when it is ready, else bubblewrap, and each driver on request', async () => {
    expect((await createSandboxProvider({ driver: 'auto', image: 'auto' })).driver).toEqual('docker');
    const noDaemon = new Dockerode({ socketPath: join(parent, 'no-docker.sock') });
    const fallback = await createSandboxProvider(
      { driver: 'auto', image: 'auto', dataDir },
      { docker: noDaemon, rootfs: 'host' },
    );
    expect(fallback.driver).toEqual('bubblewrap');
    expect((await createSandboxProvider({ driver: 'bubblewrap', image: 'auto', dataDir })).driver).toEqual(
      'bubblewrap',
    );
    expect((await createSandboxProvider({ driver: 'docker', image: 'auto' })).driver).toEqual('docker');
  });
});
