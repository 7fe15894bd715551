import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxLimits } from '@codecrew/core';
import type { Sandbox, SandboxProvider } from '@codecrew/sandbox';
import { sandboxDrivers } from './drivers.ts';

// The behaviour every SandboxProvider promises (sandbox/src/types.ts), checked
// on each real driver with the real sandbox image.
const LIMITS: SandboxLimits = {
  image: 'auto',
  cpus: 1,
  memoryBytes: 256 * 1024 * 1024,
  pids: 128,
  tmpBytes: 32 * 1024 * 1024,
  commandTimeoutMs: 30_000,
  maxOutputBytes: 16 * 1024,
};

/** A workspace directory owned by the sandbox user, as Workspace.create leaves it. */
function makeWorkspace(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir);
  chownSync(dir, 1000, 1000);
  return dir;
}

for (const driver of sandboxDrivers()) {
  describe(`sandbox contract: ${driver.name} driver`, () => {
    const task = `contract-${driver.name}-${process.pid}`;
    let provider: SandboxProvider;
    let parent: string;
    let wsDir: string;
    let sandbox: Sandbox;
    let readOnly: Sandbox;

    beforeAll(async () => {
      provider = driver.create();
      await provider.ensureReady();
      parent = await mkdtemp(join(tmpdir(), `codecrew-contract-${driver.name}-`));
      wsDir = makeWorkspace(parent, 'ws');
      writeFileSync(join(wsDir, 'hello.txt'), 'hello from the host\n');
      chownSync(join(wsDir, 'hello.txt'), 1000, 1000);
      mkdirSync(join(wsDir, 'sub'));
      chownSync(join(wsDir, 'sub'), 1000, 1000);
      sandbox = await provider.create({
        workspaceDir: wsDir,
        limits: LIMITS,
        labels: { task, job: 'rw', role: 'coder' },
      });
      readOnly = await provider.create({
        workspaceDir: wsDir,
        readOnly: true,
        limits: LIMITS,
        labels: { task, job: 'ro', role: 'reviewer' },
      });
    });

    afterAll(async () => {
      await sandbox?.destroy();
      await readOnly?.destroy();
      if (parent !== undefined) rmSync(parent, { recursive: true, force: true });
    });

    it('reports its driver name', () => {
      expect(provider.driver).toEqual(driver.name);
    });

    it('returns stdout, stderr and the exit code separately', async () => {
      const r = await sandbox.exec('echo out; echo err >&2; exit 3');
      expect([r.exitCode, r.stdout, r.stderr, r.truncated, r.timedOut, r.oomKilled]).toEqual([
        3,
        'out\n',
        'err\n',
        false,
        false,
        false,
      ]);
    });

    it('runs in the workspace by default and in a relative cwd when asked', async () => {
      expect((await sandbox.exec('pwd')).stdout).toEqual('/workspace\n');
      expect((await sandbox.exec('pwd', { cwd: 'sub' })).stdout).toEqual('/workspace/sub\n');
    });

    it('runs as uid 1000 with the minimal environment plus what the call passes', async () => {
      const r = await sandbox.exec('id -u; id -g; echo "$FOO|$HOME|$CI|${OPENAI_API_KEY:-none}"', {
        env: { FOO: 'bar baz' },
      });
      expect(r.stdout).toEqual('1000\n1000\nbar baz|/home/crew|1|none\n');
    });

    it("does not keep one call's environment for the next", async () => {
      expect((await sandbox.exec('echo "${FOO:-unset}"')).stdout).toEqual('unset\n');
    });

    it('reports a non-zero exit', async () => {
      const r = await sandbox.exec('false');
      expect([r.exitCode, r.timedOut]).toEqual([1, false]);
    });

    it('kills a command at its time limit and says so', async () => {
      const r = await sandbox.exec('echo started; sleep 60', { timeoutMs: 1500 });
      expect([r.exitCode, r.timedOut, r.stdout]).toEqual([137, true, 'started\n']);
      expect(r.durationMs).toBeGreaterThanOrEqual(1500);
      expect(r.durationMs).toBeLessThan(10_000);
    });

    it('cuts output over the cap, keeping head and tail', async () => {
      const r = await sandbox.exec("echo first; head -c 100000 /dev/zero | tr '\\0' x; echo; echo last", {
        maxOutputBytes: 1000,
      });
      expect(r.truncated).toEqual(true);
      expect(r.stdout.startsWith('first\n')).toEqual(true);
      expect(r.stdout.endsWith('\nlast\n')).toEqual(true);
      expect(r.stdout).toContain('bytes cut; output exceeded 1000 bytes ...]');
    });

    it('has no network but loopback', async () => {
      const r = await sandbox.exec('awk \'NR > 2 { sub(":", "", $1); print $1 }\' /proc/net/dev');
      expect(r.stdout).toEqual('lo\n');
      const tcp = await sandbox.exec(
        `python3 -c "import socket; socket.create_connection(('1.1.1.1', 53), 2)" 2>&1 | tail -1`,
      );
      expect(tcp.stdout).toEqual('OSError: [Errno 101] Network is unreachable\n');
    });

    it('shows host writes inside and hands sandbox writes back to the host as uid 1000', async () => {
      expect((await sandbox.exec('cat hello.txt')).stdout).toEqual('hello from the host\n');
      const r = await sandbox.exec('echo made inside > sub/inside.txt && stat -c %u:%g sub/inside.txt');
      expect([r.exitCode, r.stdout]).toEqual([0, '1000:1000\n']);
      expect(readFileSync(join(wsDir, 'sub', 'inside.txt'), 'utf8')).toEqual('made inside\n');
      writeFileSync(join(wsDir, 'later.txt'), 'written later\n');
      expect((await readOnly.exec('cat later.txt')).stdout).toEqual('written later\n');
    });

    it('a read-only sandbox can read but not write the workspace', async () => {
      expect((await readOnly.exec('cat hello.txt')).stdout).toEqual('hello from the host\n');
      const r = await readOnly.exec('echo no > ro.txt');
      expect(r.exitCode).toEqual(1);
      expect(r.stderr).toContain('Read-only file system');
      expect(existsSync(join(wsDir, 'ro.txt'))).toEqual(false);
    });

    it('has a read-only root and a writable /tmp', async () => {
      const r = await sandbox.exec('touch /etc/x 2>/dev/null; echo $?; echo t > /tmp/t && cat /tmp/t');
      expect(r.stdout).toEqual('1\nt\n');
    });

    it('keeps what one command leaves in /tmp and $HOME for the next', async () => {
      await sandbox.exec('echo kept > /tmp/note && git config --global user.name crew');
      const r = await sandbox.exec('cat /tmp/note; git config --global user.name');
      expect(r.stdout).toEqual('kept\ncrew\n');
      expect((await readOnly.exec('cat /tmp/note 2>/dev/null || echo none')).stdout).toEqual('none\n');
    });

    it('lists its sandboxes with their labels and owner, and destroy is idempotent', async () => {
      const extra = await provider.create({
        workspaceDir: wsDir,
        limits: LIMITS,
        labels: { task, job: 'extra', role: 'tester' },
      });
      const mine = (await provider.list())
        .filter((info) => info.labels.task === task)
        .map((info) => [info.labels.job, info.ownerAlive]);
      expect(mine.sort()).toEqual([
        ['extra', true],
        ['ro', true],
        ['rw', true],
      ]);
      await extra.destroy();
      await extra.destroy();
      const left = (await provider.list()).filter((info) => info.labels.task === task).map((info) => info.labels.job);
      expect(left.sort()).toEqual(['ro', 'rw']);
      await expect(extra.exec('true')).rejects.toMatchObject({ code: 'SANDBOX_FAILED' });
    });

    it('refuses a cwd that leaves the workspace', async () => {
      await expect(sandbox.exec('pwd', { cwd: '../etc' })).rejects.toMatchObject({ code: 'PATH_OUTSIDE_WORKSPACE' });
    });
  });
}
