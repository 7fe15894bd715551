import { execFile, execFileSync, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The root of this repository. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'packages/cli/bin/codecrew.js');
const run = promisify(execFile);

/** A temp directory named after the test, so that parallel tests never share one. */
export async function tempDirFor(testName: string): Promise<string> {
  const slug = testName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40);
  return mkdtemp(join(tmpdir(), `codecrew-${slug}-`));
}

/** Copies a fixture repository to `dir` and makes it a git repository with one commit on `main`. */
export async function makeGitRepo(fixture: string, dir: string): Promise<string> {
  await cp(fixture, dir, { recursive: true });
  const git = (...args: string[]) =>
    run(
      'git',
      ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args],
      { cwd: dir },
    );
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'initial');
  return dir;
}

/** The textkit example repository, which the demo and most end-to-end tests use. */
export const TEXTKIT = join(ROOT, 'examples/repos/textkit');

/** Runs git in `cwd` and returns its trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

/** What a finished `codecrew` process did. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `codecrew` command as a child process. */
export function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 200_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Reads report.json of a finished task from the path the CLI printed. */
export async function readReport(run: CliRun): Promise<Record<string, unknown> & { status: string }> {
  const match = /json:\s+(\S+report\.json)/.exec(run.stdout);
  if (!match?.[1]) throw new Error(`no report.json path in the output:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(await readFile(match[1], 'utf8'));
}

/** Ids of Docker containers carrying codecrew's labels for a task (any state). */
export function containersOfTask(taskId: string): string[] {
  const out = execFileSync('docker', ['ps', '-aq', '--filter', `label=codecrew.task=${taskId}`], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line !== '');
}
