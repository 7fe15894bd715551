import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { CodecrewError, TaskSpec, parseDuration, type Config, type SandboxLimits } from '@codecrew/core';
import { loadConfig, resolveTask } from '@codecrew/orchestrator';
import { Workspace, createSandboxProvider, isOwnerAlive, type Sandbox } from '@codecrew/sandbox';
import { usageError, type Io } from '../io.ts';

const run = promisify(execFile);
const WORKSPACE_PREFIX = 'codecrew-exec-';

/** Exit code when the command hit its time limit (as coreutils `timeout`). */
export const EXIT_TIMED_OUT = 124;
/** Exit code when the command was killed without an exit status of its own (e.g. out of memory). */
export const EXIT_KILLED = 137;
/** Exit code when codecrew itself was interrupted (Ctrl-C, SIGTERM). */
export const EXIT_INTERRUPTED = 130;

/**
 * Quotes each word for bash, so `-- sh -c 'exit 7'` runs as those three words.
 * A single word is taken as a whole bash command line, as the shell tool does.
 */
export function commandLine(words: string[]): string {
  if (words.length === 1) return words[0] ?? '';
  return words
    .map((word) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

/** The sandbox limits a task's coder gets under `config` (resolved exactly as for a task). */
function configuredLimits(config: Config, repo: string): SandboxLimits {
  const spec = TaskSpec.parse({
    apiVersion: 'codecrew/v1',
    kind: 'Task',
    metadata: { name: 'sandbox-exec' },
    spec: { repo: { path: repo }, prompt: 'sandbox exec' },
  });
  return resolveTask(spec, config, { specDir: process.cwd() }).sandbox;
}

/** `git archive` of HEAD of `repo`; says clearly when `repo` is not a git repository or has no commit. */
async function headTree(repo: string): Promise<Uint8Array> {
  const inside = await run('git', ['-C', repo, 'rev-parse', '--is-inside-work-tree']).catch(() => undefined);
  if (inside?.stdout.trim() !== 'true') {
    throw new CodecrewError(
      'REPO_INVALID',
      `${repo} is not a git repository; give one with --repo PATH (codecrew sandbox exec runs on a git archive of its HEAD)`,
    );
  }
  const head = await run('git', ['-C', repo, 'rev-parse', '--verify', '--quiet', 'HEAD']).catch(() => undefined);
  if (head === undefined) throw new CodecrewError('REPO_INVALID', `${repo} has no commit yet; commit something first`);
  const { stdout } = await run('git', ['-C', repo, 'archive', '--format=tar', 'HEAD'], {
    encoding: 'buffer',
    maxBuffer: 1024 * 1024 * 1024,
  });
  return stdout;
}

/**
 * `codecrew sandbox exec [--repo PATH] [--config FILE] [--timeout DURATION] [--task LABEL] -- CMD...`:
 * runs one command in a fresh sandbox exactly as a coder's shell tool would, on a
 * copy of HEAD of the repository, and exits with the command's exit code.
 */
export async function sandboxExecCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      repo: { type: 'string', default: '.' },
      config: { type: 'string' },
      timeout: { type: 'string' },
      task: { type: 'string' },
    },
  });
  if (positionals.length === 0)
    throw usageError('codecrew sandbox exec needs a command: codecrew sandbox exec [--repo PATH] -- CMD...');
  const repo = resolve(values.repo);
  const config = loadConfig(values.config === undefined ? {} : { file: resolve(values.config) });
  const limits = configuredLimits(config, repo);
  if (values.timeout !== undefined) limits.commandTimeoutMs = parseDuration(values.timeout);
  const tree = await headTree(repo);

  // The driver the configuration names, as a worker picks it; its progress goes to stderr.
  // No warm pool: one fresh sandbox, and nothing kept running after this process.
  const provider = await createSandboxProvider(
    { ...config.sandbox, warm: 0, dataDir: config.dataDir },
    { onProgress: (line) => io.err(line) },
  );
  await provider.ensureReady();
  const parentDir = await mkdtemp(join(tmpdir(), `${WORKSPACE_PREFIX}${process.pid}-`));
  const controller = new AbortController();
  const interrupt = (): void => controller.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  let workspace: Workspace | null = null;
  let sandbox: Sandbox | null = null;
  try {
    workspace = await Workspace.create({ parentDir, tar: tree });
    const job = `exec-${process.pid}`;
    sandbox = await provider.create({
      workspaceDir: workspace.root,
      readOnly: false,
      limits,
      labels: { task: values.task ?? job, job, role: 'exec' },
    });
    if (controller.signal.aborted) return EXIT_INTERRUPTED;
    const result = await sandbox
      .exec(commandLine(positionals), { signal: controller.signal })
      .catch((error: unknown) => {
        if (error instanceof CodecrewError && error.code === 'CANCELLED') return null;
        throw error;
      });
    if (result === null) {
      io.err('codecrew: interrupted; the command was killed');
      return EXIT_INTERRUPTED;
    }
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    if (result.timedOut) {
      io.err(
        `codecrew: the command timed out after ${limits.commandTimeoutMs} ms and was killed (exit ${EXIT_TIMED_OUT})`,
      );
      return EXIT_TIMED_OUT;
    }
    if (result.oomKilled)
      io.err(`codecrew: the command ran out of memory (limit ${limits.memoryBytes} bytes) and was killed`);
    if (result.truncated)
      io.err(`codecrew: output was longer than ${limits.maxOutputBytes} bytes and was cut in the middle`);
    return result.exitCode ?? EXIT_KILLED;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await sandbox
      ?.destroy()
      .catch((error: unknown) => io.err(`codecrew: could not remove the sandbox: ${String(error)}`));
    await workspace?.dispose().catch(() => undefined);
    await rm(parentDir, { recursive: true, force: true });
    await provider.close?.().catch(() => undefined);
  }
}

/**
 * Removes the workspaces that `sandbox exec` processes left in the temp
 * directory when they were killed (their pid is gone); returns their paths.
 */
export async function removeStaleExecWorkspaces(dir: string = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [])) {
    const pid = new RegExp(`^${WORKSPACE_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (pid === undefined || isOwnerAlive(`${hostname()}:${pid}`)) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed.push(join(dir, name));
  }
  return removed;
}
