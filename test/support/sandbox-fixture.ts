import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TaskSpec, type SandboxLimits } from '@codecrew/core';
import { loadConfig, resolveTask } from '@codecrew/orchestrator';
import { Workspace, type Sandbox, type SandboxProvider } from '@codecrew/sandbox';
import { ROOT, makeGitRepo } from './cli.ts';

/**
 * The sandbox limits a coder gets with codecrew's built-in configuration
 * (config/default.yaml), resolved exactly as a task resolves them.
 */
export function defaultSandboxLimits(): SandboxLimits {
  const config = loadConfig({ cwd: ROOT, env: {} });
  const spec = TaskSpec.parse({
    apiVersion: 'codecrew/v1',
    kind: 'Task',
    metadata: { name: 'limits' },
    spec: { repo: { path: ROOT }, prompt: 'limits' },
  });
  return resolveTask(spec, config, { specDir: ROOT }).sandbox;
}

/** A small project tree: what a coder's workspace typically starts from. */
export const FIXTURE_FILES: Readonly<Record<string, string>> = {
  'package.json': '{ "name": "fixture", "version": "1.0.0", "scripts": { "test": "node test.js" } }\n',
  'src/index.js': 'export const add = (a, b) => a + b;\n',
  'test.js': "console.log('ok');\n",
  'README.md': '# fixture\n',
};

/** Writes {@link FIXTURE_FILES} to `dir` and makes it a git repository with one commit; returns `dir`. */
export async function makeFixtureRepo(dir: string): Promise<string> {
  const tree = join(dir, 'tree');
  for (const [path, content] of Object.entries(FIXTURE_FILES)) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), content);
  }
  return makeGitRepo(tree, join(dir, 'repo'));
}

/** `git archive --format=tar HEAD` of a repository, as a worker receives a job's tree. */
export function archiveHead(repo: string): Buffer {
  return execFileSync('git', ['-C', repo, 'archive', '--format=tar', 'HEAD'], { maxBuffer: 64 * 1024 * 1024 });
}

/** A job's workspace and sandbox, made the way `runJob` makes them; `close()` removes both. */
export interface JobSandbox {
  parentDir: string;
  workspace: Workspace;
  sandbox: Sandbox;
  close(): Promise<void>;
}

/** Creates a writable (coder) sandbox on a workspace unpacked from `tar`, labelled with `task`/`job`. */
export async function openJobSandbox(
  provider: SandboxProvider,
  opts: { tar: Uint8Array; task: string; job: string; limits: SandboxLimits },
): Promise<JobSandbox> {
  const parentDir = await mkdtemp(join(tmpdir(), `codecrew-${opts.job}-`));
  const workspace = await Workspace.create({ parentDir: join(parentDir, 'job'), tar: opts.tar });
  let sandbox: Sandbox;
  try {
    sandbox = await provider.create({
      workspaceDir: workspace.root,
      readOnly: false,
      limits: opts.limits,
      labels: { task: opts.task, job: opts.job, role: 'coder' },
    });
  } catch (error) {
    await rm(parentDir, { recursive: true, force: true });
    throw error;
  }
  return {
    parentDir,
    workspace,
    sandbox,
    close: async () => {
      await sandbox.destroy();
      await workspace.dispose().catch(() => undefined);
      await rm(parentDir, { recursive: true, force: true });
    },
  };
}

/** Ids of Docker containers (any state) carrying all of `labels`. */
export function dockerContainersWith(labels: Record<string, string>): string[] {
  const filters = Object.entries(labels).flatMap(([key, value]) => ['--filter', `label=${key}=${value}`]);
  const out = execFileSync('docker', ['ps', '-aq', '--no-trunc', ...filters], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line !== '');
}
