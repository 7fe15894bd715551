import { readFileSync, writeFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCodecrewError } from '@codecrew/core';
import { DockerSandboxProvider, defaultSandboxImage } from '@codecrew/sandbox';
import type { Sandbox } from '@codecrew/sandbox';
import { TEST_LIMITS, containersOfTask, requireDockerAndImage, workspaceDir } from './docker-support.ts';

const TASK = `sandbox-int-${process.pid}`;

let docker: Dockerode;
let provider: DockerSandboxProvider;
let sandbox: Sandbox;
let ws: { dir: string; cleanup: () => void };

beforeAll(async () => {
  docker = await requireDockerAndImage();
  provider = new DockerSandboxProvider({ docker });
  ws = workspaceDir('docker-int');
  writeFileSync(join(ws.dir, 'hello.txt'), 'hello from the host\n');
  chownSync(join(ws.dir, 'hello.txt'), 1000, 1000);
  sandbox = await provider.create({
    workspaceDir: ws.dir,
    limits: TEST_LIMITS,
    labels: { task: TASK, job: 'main', role: 'coder' },
  });
}, 900_000);

afterAll(async () => {
  await sandbox?.destroy();
  ws?.cleanup();
});

describe('DockerSandboxProvider', () => {
  it('is ready and labels its containers', async () => {
    await provider.ensureReady();
    const mine = (await provider.list()).filter((info) => info.labels.task === TASK);
    expect(mine.map((info) => [info.id, info.labels, info.state, info.ownerAlive])).toEqual([
      [sandbox.id, { task: TASK, job: 'main', role: 'coder', owner: provider.owner }, 'running', true],
    ]);
  });

  it('runs a command in the workspace and returns its output and exit code', async () => {
    const result = await sandbox.exec('cat hello.txt; echo oops >&2; pwd; exit 3');
    expect({ ...result, durationMs: 0 }).toEqual({
      exitCode: 3,
      stdout: 'hello from the host\n/workspace\n',
      stderr: 'oops\n',
      truncated: false,
      timedOut: false,
      oomKilled: false,
      durationMs: 0,
    });
  });

  it('honours cwd and per-command env, and passes no host environment', async () => {
    process.env.CODECREW_TEST_SECRET = 'do-not-leak';
    await sandbox.exec('mkdir -p sub/dir');
    const result = await sandbox.exec('pwd; echo "$GREETING"; env | sort | cut -d= -f1 | tr "\\n" " "', {
      cwd: 'sub/dir',
      env: { GREETING: 'hi' },
    });
    delete process.env.CODECREW_TEST_SECRET;
    expect(result.stdout).toEqual(
      '/workspace/sub/dir\nhi\nCI CODECREW_EXEC GREETING HOME HOSTNAME LANG PATH PWD SHLVL _ ',
    );
    expect(result.exitCode).toEqual(0);
  });

  it('has no network', async () => {
    const dns = await sandbox.exec('getent hosts deb.debian.org');
    expect(dns.exitCode).toEqual(2);
    const tcp = await sandbox.exec(`python3 -c "import socket; socket.create_connection(('1.1.1.1', 53), 2)"`);
    expect(tcp.exitCode).toEqual(1);
    expect(tcp.stderr).toContain('OSError: [Errno 101] Network is unreachable');
    const ifaces = await sandbox.exec("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
    expect(ifaces.stdout).toEqual('lo\n');
  });

  it('runs as uid 1000 with no capabilities and no-new-privileges', async () => {
    const result = await sandbox.exec('id -u; id -g; grep -E "^(CapEff|CapPrm|NoNewPrivs)" /proc/self/status');
    expect(result.stdout).toEqual('1000\n1000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nNoNewPrivs:\t1\n');
  });

  it('cannot write outside /workspace, /tmp and HOME', async () => {
    const etc = await sandbox.exec('touch /etc/x');
    expect(etc.exitCode).toEqual(1);
    expect(etc.stderr).toEqual("touch: cannot touch '/etc/x': Read-only file system\n");
    const root = await sandbox.exec('touch /x');
    expect(root.exitCode).toEqual(1);
    const ok = await sandbox.exec('touch /workspace/ok /tmp/ok "$HOME/ok" && echo yes');
    expect(ok.stdout).toEqual('yes\n');
    expect(readFileSync(join(ws.dir, 'ok'), 'utf8')).toEqual('');
  });

  it('kills a command at its timeout and reports timedOut quickly', async () => {
    const started = Date.now();
    const result = await sandbox.exec('echo started; sleep 100', { timeoutMs: 1500 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect([result.exitCode, result.timedOut, result.stdout, result.oomKilled]).toEqual([
      137,
      true,
      'started\n',
      false,
    ]);
    const left = await sandbox.exec("ps -eo args= | grep -cx 'sleep 100'");
    expect(left.stdout).toEqual('0\n');
  });

  it('returns when the command exits even if a background process keeps its output open', async () => {
    const started = Date.now();
    const result = await sandbox.exec('sleep 25 & echo done', { timeoutMs: 60_000 });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect([result.exitCode, result.stdout, result.timedOut]).toEqual([0, 'done\n', false]);
    await sandbox.exec("pkill -x -f 'sleep 25'");
  });

  it('caps output, keeping the head and the tail', async () => {
    const result = await sandbox.exec('seq 1 100000', { maxOutputBytes: 1000 });
    expect(result.exitCode).toEqual(0);
    expect(result.truncated).toEqual(true);
    expect(result.stdout.startsWith('1\n2\n3\n')).toEqual(true);
    expect(result.stdout.endsWith('99999\n100000\n')).toEqual(true);
    expect(result.stdout).toContain('bytes cut; output exceeded 1000 bytes ...]');
    expect(result.stdout.length).toBeLessThan(1100);
  });

  it('cancels a command through its AbortSignal', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const error = await sandbox.exec('sleep 60', { signal: controller.signal }).catch((e: unknown) => e);
    expect(isCodecrewError(error, 'CANCELLED')).toEqual(true);
    const left = await sandbox.exec("ps -eo args= | grep -cx 'sleep 60'");
    expect(left.stdout).toEqual('0\n');
  });

  it('refuses a cwd outside the workspace', async () => {
    const error = await sandbox.exec('true', { cwd: '../etc' }).catch((e: unknown) => e);
    expect(isCodecrewError(error, 'PATH_OUTSIDE_WORKSPACE')).toEqual(true);
  });

  it('reports a command the memory limit killed', async () => {
    const result = await sandbox.exec(`python3 -c "b = bytearray(600 * 1024 * 1024); print(len(b))"`);
    expect([result.exitCode, result.oomKilled, result.timedOut]).toEqual([137, true, false]);
    const after = await sandbox.exec('kill -KILL $$');
    expect([after.exitCode, after.oomKilled]).toEqual([137, false]);
  });

  it('says how to build a missing image', async () => {
    const error = await provider
      .create({
        workspaceDir: ws.dir,
        limits: { ...TEST_LIMITS, image: 'codecrew/sandbox:no-such-tag' },
        labels: { task: TASK, job: 'x', role: 'coder' },
      })
      .catch((e: unknown) => e);
    expect(isCodecrewError(error, 'SANDBOX_IMAGE_MISSING')).toEqual(true);
    expect((error as Error).message).toEqual(
      'the sandbox image codecrew/sandbox:no-such-tag is not built; build it: npm run setup (or codecrew sandbox build)',
    );
  });

  it('refuses a workspace directory that does not exist', async () => {
    const error = await provider
      .create({
        workspaceDir: `${ws.dir}-missing`,
        limits: TEST_LIMITS,
        labels: { task: TASK, job: 'y', role: 'coder' },
      })
      .catch((e: unknown) => e);
    expect(isCodecrewError(error, 'SANDBOX_FAILED')).toEqual(true);
    expect(await containersOfTask(docker, TASK)).toEqual([sandbox.id]);
  });

  it('says how to start an unreachable daemon', async () => {
    const { default: Docker } = await import('dockerode');
    const nowhere = new DockerSandboxProvider({ docker: new Docker({ socketPath: '/nonexistent/docker.sock' }) });
    const error = await nowhere.ensureReady().catch((e: unknown) => e);
    expect(isCodecrewError(error, 'DOCKER_UNAVAILABLE')).toEqual(true);
    expect((error as Error).message).toContain('start it: npm run setup');
  });

  it('uses the image built from this checkout by default', async () => {
    const info = await docker.getContainer(sandbox.id).inspect();
    expect(info.Config.Image).toEqual(defaultSandboxImage());
    expect(info.HostConfig.NetworkMode).toEqual('none');
    expect(info.HostConfig.ReadonlyRootfs).toEqual(true);
  });
});

describe('read-only sandboxes and destroy', () => {
  it('a read-only sandbox cannot write the workspace', async () => {
    const ro = await provider.create({
      workspaceDir: ws.dir,
      readOnly: true,
      limits: TEST_LIMITS,
      labels: { task: TASK, job: 'ro', role: 'reviewer' },
    });
    try {
      const read = await ro.exec('cat hello.txt');
      expect(read.stdout).toEqual('hello from the host\n');
      const write = await ro.exec('touch new.txt');
      expect([write.exitCode, write.stderr]).toEqual([1, "touch: cannot touch 'new.txt': Read-only file system\n"]);
    } finally {
      await ro.destroy();
    }
  });

  it('destroy removes the container and can be called twice', async () => {
    const task = `${TASK}-destroy`;
    const box = await provider.create({
      workspaceDir: ws.dir,
      limits: TEST_LIMITS,
      labels: { task, job: 'd', role: 'tester' },
    });
    expect(await containersOfTask(docker, task)).toEqual([box.id]);
    await box.destroy();
    await box.destroy();
    expect(await containersOfTask(docker, task)).toEqual([]);
  });
});
