import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CodecrewError, type Job } from '@codecrew/core';
import type { Bus } from '@codecrew/bus';
import type { ExecResult, Sandbox, SandboxCreateOptions, SandboxProvider } from '@codecrew/sandbox';
import { JobEnvironment } from '../src/worker/job-environment.ts';
import { testJob } from './fixtures.ts';
import type { JobRuntime } from '../src/worker/run-job.ts';

function job(role: Job['role']): Job {
  return testJob({ id: `j-${role}`, role });
}

/** A provider that records what it is asked and hands out sandboxes that answer every command with exit 0. */
class RecordingProvider implements SandboxProvider {
  readonly driver = 'recording';
  readonly created: SandboxCreateOptions[] = [];
  readonly destroyed: string[] = [];
  failWith: Error | null = null;

  async ensureReady(): Promise<void> {}
  async list() {
    return [];
  }
  async reap() {
    return [];
  }

  async create(options: SandboxCreateOptions): Promise<Sandbox> {
    if (this.failWith !== null) throw this.failWith;
    this.created.push(options);
    const id = `sandbox-${this.created.length}`;
    const destroyed = this.destroyed;
    return {
      id,
      workspaceDir: options.workspaceDir,
      async exec(command: string): Promise<ExecResult> {
        return {
          exitCode: 0,
          stdout: command,
          stderr: '',
          truncated: false,
          timedOut: false,
          oomKilled: false,
          durationMs: 1,
        };
      },
      async destroy() {
        destroyed.push(id);
      },
    };
  }
}

describe('a job environment', () => {
  let root: string;
  let tar: Buffer;
  let provider: RecordingProvider;
  let runtime: JobRuntime;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'codecrew-job-env-'));
    const repo = join(root, 'repo');
    execFileSync('git', ['init', '-q', repo]);
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    execFileSync('git', ['-C', repo, 'add', '-A']);
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'a']);
    tar = execFileSync('git', ['-C', repo, 'archive', '--format=tar', 'HEAD']);
    provider = new RecordingProvider();
    runtime = {
      bus: { getArtifact: async () => tar } as unknown as Bus,
      sandboxes: provider,
      workRoot: join(root, 'work'),
      workerId: 'w',
      catalog: {},
      modelRetries: 0,
      modelTimeoutMs: 1000,
      env: {},
    };
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('makes the workspace at once and starts no container for a job that runs no command', async () => {
    const environment = new JobEnvironment(
      job('reviewer'),
      1,
      runtime,
      () => undefined,
      () => undefined,
    );
    await environment.ready;
    expect(await environment.workspace.readFile('a.txt')).toContain('a');
    expect(environment.sandbox.id).toBe('');
    await environment.dispose();
    expect(provider.created).toEqual([]);
    await expect(access(environment.workspace.root)).rejects.toThrow();
  });

  it('starts one container at the first command, shares it with later and concurrent ones, and removes it at the end', async () => {
    const events: string[] = [];
    const environment = new JobEnvironment(
      job('coder'),
      1,
      runtime,
      (_kind, message) => events.push(message),
      () => {
        throw new Error('no failure expected');
      },
    );
    const results = await Promise.all([environment.sandbox.exec('one'), environment.sandbox.exec('two')]);
    expect(results.map((r) => r.stdout)).toEqual(['one', 'two']);
    await environment.sandbox.exec('three');
    expect(provider.created).toHaveLength(1);
    expect(provider.created[0]).toMatchObject({
      readOnly: false,
      labels: { task: 't', job: 'j-coder', role: 'coder' },
    });
    expect(environment.sandbox.id).toBe('sandbox-1');
    expect(events.filter((message) => message.startsWith('sandbox '))).toEqual(['sandbox sandbox-1 ready']);
    await environment.dispose();
    expect(provider.destroyed).toEqual(['sandbox-1']);
  });

  it('mounts the workspace read-only for a reviewer', async () => {
    const environment = new JobEnvironment(
      job('reviewer'),
      1,
      runtime,
      () => undefined,
      () => undefined,
    );
    await environment.sandbox.exec('ls');
    expect(provider.created[0]?.readOnly).toBe(true);
    await environment.dispose();
  });

  it('ends the job with a setup error when its container cannot start', async () => {
    provider.failWith = new Error('docker is down');
    const failures: CodecrewError[] = [];
    const environment = new JobEnvironment(
      job('tester'),
      1,
      runtime,
      () => undefined,
      (error) => failures.push(error),
    );
    await expect(environment.sandbox.exec('npm test')).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
    expect(failures.map((failure) => [failure.code, failure.details?.handBack])).toEqual([
      ['SANDBOX_UNAVAILABLE', true],
    ]);
    await environment.dispose();
  });
});
