import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerSandboxProvider } from '@codecrew/sandbox';
import { ROOT, runCli, tempDirFor } from '../support/cli.ts';
import { dockerContainersWith, makeFixtureRepo } from '../support/sandbox-fixture.ts';

// Never leak: a codecrew process killed with SIGKILL cannot clean up, so its
// container stays (an orphan) until the next start reaps it. Timeouts and
// aborts inside a live process are covered at the Sandbox level by
// sandbox/test/docker.int.test.ts ("kills a command at its timeout...",
// "cancels a command through its AbortSignal") and for the CLI by
// test/e2e/sandbox-cli.e2e.test.ts ("exits 124 when the command times out").
const TASK = `leak-${process.pid}`;
const CLI = join(ROOT, 'packages/cli/bin/codecrew.js');

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

function commandRunning(container: string, command: string): boolean {
  try {
    // CMD is the last column of `docker top`.
    return execFileSync('docker', ['top', container], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .some((line) => line.endsWith(` ${command}`));
  } catch {
    return false;
  }
}

/** Starts `codecrew sandbox exec -- <command>` and waits until the command runs in its container. */
async function startExec(
  repo: string,
  command: string,
): Promise<{ child: ChildProcess; owner: string; container: string; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'sandbox', 'exec', '--repo', repo, '--task', TASK, '--', command], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const owner = `${hostname()}:${child.pid}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    const [container] = dockerContainersWith({
      'codecrew.managed': '1',
      'codecrew.owner': owner,
      'codecrew.task': TASK,
    });
    // Not just created: the command itself is running in it.
    if (container !== undefined && commandRunning(container, command))
      return { child, owner, container, stderr: () => stderr };
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`no container appeared for ${owner}; codecrew said:\n${stderr}`);
    }
    await sleep(200);
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
}

/** The temp workspaces of one `sandbox exec` process. */
function execWorkspaces(pid: number | undefined): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(`codecrew-exec-${pid}-`));
}

/** Starts a `sleep 60` and SIGKILLs codecrew once its container exists; checks the orphan is there. */
async function orphan(repo: string): Promise<{ container: string; pid: number | undefined }> {
  const run = await startExec(repo, 'sleep 60');
  const { child, container } = run;
  expect(execWorkspaces(child.pid).length).toEqual(1);
  child.kill('SIGKILL');
  expect(await exited(child)).toEqual({ code: null, signal: 'SIGKILL' });
  const info = (await new DockerSandboxProvider().list()).find((c) => c.id === container);
  expect([info?.state, info?.ownerAlive, info?.labels.owner]).toEqual(['running', false, run.owner]);
  // The only container of this process is the job's: `sandbox exec` keeps no spare.
  expect(dockerContainersWith({ 'codecrew.owner': run.owner })).toEqual([container]);
  return { container, pid: child.pid };
}

describe('never leak: a killed codecrew process leaves an orphan that the next start removes', () => {
  let dir: string;
  let repo: string;

  beforeAll(async () => {
    dir = await tempDirFor('leak');
    repo = await makeFixtureRepo(dir);
  });

  afterAll(async () => {
    for (const id of dockerContainersWith({ 'codecrew.task': TASK }))
      await new DockerSandboxProvider().docker.getContainer(id).remove({ force: true });
    await rm(dir, { recursive: true, force: true });
  });

  it('`codecrew sandbox prune` removes the container and the workspace of a SIGKILLed `sandbox exec`', async () => {
    const { container, pid } = await orphan(repo);
    const prune = await runCli(['sandbox', 'prune'], { timeoutMs: 120_000 });
    expect(prune.code).toEqual(0);
    expect(prune.stdout).toMatch(new RegExp(`^removed \\d+ orphaned container\\(s\\): .*${container.slice(0, 12)}`));
    expect(prune.stdout).toContain(join(tmpdir(), `codecrew-exec-${pid}-`));
    expect(dockerContainersWith({ 'codecrew.task': TASK })).toEqual([]);
    expect(execWorkspaces(pid)).toEqual([]);
  });

  it("a new provider's reap() removes the orphan", async () => {
    const { container, pid } = await orphan(repo);
    const removed = await new DockerSandboxProvider().reap();
    expect(removed).toContain(container);
    expect(dockerContainersWith({ 'codecrew.task': TASK })).toEqual([]);
    // reap() is about containers; the CLI's own workspace waits for `sandbox prune`.
    expect(execWorkspaces(pid).length).toEqual(1);
    for (const name of execWorkspaces(pid)) await rm(join(tmpdir(), name), { recursive: true, force: true });
  });

  it('Ctrl-C (SIGINT) kills the command and removes the container and workspace before exiting 130', async () => {
    const { child, stderr, owner } = await startExec(repo, 'sleep 60');
    child.kill('SIGINT');
    const started = Date.now();
    expect(await exited(child)).toEqual({ code: 130, signal: null });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(stderr()).toEqual('codecrew: interrupted; the command was killed\n');
    // None at all of this process's: no job container, no pre-started spare.
    expect(dockerContainersWith({ 'codecrew.owner': owner })).toEqual([]);
    expect(execWorkspaces(child.pid)).toEqual([]);
  });
});
