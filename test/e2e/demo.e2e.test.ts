import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, TEXTKIT, containersOfTask, git, makeGitRepo, readReport, runCli, tempDirFor } from '../support/cli.ts';
import { writeTaskFile } from '../support/task-file.ts';
import { REMOTE_WORKERS, withCrew } from '../support/workers.ts';

function nodeTest(cwd: string): number {
  try {
    execFileSync(process.execPath, ['--test'], { cwd, stdio: 'pipe' });
    return 0;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

interface JobRow {
  jobId: string;
  role: string;
  subtaskId: string | null;
  status: string;
  startedAt: string;
  finishedAt: string;
  commands: Array<{ command: string; exitCode: number }>;
}

describe('the demo task through the codecrew CLI', () => {
  it('plans, codes in parallel sandboxes, merges, tests, reviews and publishes a branch', async () => {
    const dir = await tempDirFor('demo e2e');
    const repo = await makeGitRepo(TEXTKIT, join(dir, 'textkit'));
    const headBefore = git(repo, 'rev-parse', 'HEAD');
    expect(nodeTest(repo)).not.toBe(0); // the fixture's tests fail before the task
    writeFileSync(join(repo, 'notes.txt'), 'uncommitted, not part of the task\n');

    const spec = await writeTaskFile(dir, {
      name: 'demo-e2e',
      repo,
      prompt: 'Add slugify and titleCase, exported from src/index.js, so that all tests pass.',
      model: `scripted:${join(ROOT, 'examples/scripts/demo.script.yaml')}`,
      extra: { parallelism: 2, review: { maxRounds: 1 } },
    });
    await mkdir(join(dir, 'data'), { recursive: true });
    const env = { CODECREW_DATA_DIR: join(dir, 'data') };
    const run = await withCrew('demo e2e', join(dir, 'worker-data'), env, (more, moreEnv) =>
      runCli(['run', spec, ...more], { env: { ...env, ...moreEnv } }),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Model: SCRIPTED');
    expect(run.stdout).toMatch(/coder slug\s+\$ node -e/); // live progress per agent
    expect(run.stdout).toMatch(/tester\s+tests passed: 7 passed, 0 failed/);

    const report = (await readReport(run)) as unknown as {
      status: string;
      taskId: string;
      scripted: boolean;
      subtasks: Array<{ id: string; status: string }>;
      jobs: JobRow[];
      tests: Array<{
        exitCode: number;
        passed: number;
        failed: number;
        logPath?: string;
        log?: Record<string, unknown>;
      }>;
      reviews: Array<{ verdict: string }>;
      result: { branch: string; commit: string; diffPath: string; filesChanged: number };
    };
    expect(report.status).toBe('approved');
    expect(report.scripted).toBe(true);
    expect(report.subtasks.map((s) => [s.id, s.status])).toEqual([
      ['slug', 'merged'],
      ['title', 'merged'],
      ['exports', 'merged'],
    ]);
    expect(report.tests.at(-1)).toMatchObject({ exitCode: 0, passed: 7, failed: 0 });
    // The full test log is kept beside the report, not only in the run's artifact store.
    const lastTests = report.tests.at(-1);
    expect(lastTests?.log).not.toHaveProperty('inline');
    expect(readFileSync(lastTests?.logPath ?? '', 'utf8')).toMatch(/^\$ node --test[\s\S]*# pass 7/);
    expect(report.reviews.map((r) => r.verdict)).toEqual(['approve']);

    // The two independent coders ran at the same time, in two containers.
    const coder = (id: string) => report.jobs.find((j) => j.role === 'coder' && j.subtaskId === id) as JobRow;
    const [slug, title] = [coder('slug'), coder('title')];
    expect(Date.parse(slug.startedAt)).toBeLessThan(Date.parse(title.finishedAt));
    expect(Date.parse(title.startedAt)).toBeLessThan(Date.parse(slug.finishedAt));
    expect(coder('exports').commands.map((c) => [c.command, c.exitCode])).toEqual([['node --test', 0]]);

    // The branch holds one commit on top of the base, and its tests pass.
    expect(report.result.branch).toBe('codecrew/demo-e2e');
    expect(report.result.filesChanged).toBe(3);
    expect(git(repo, 'rev-parse', `${report.result.branch}^`)).toBe(headBefore);
    const checkout = join(dir, 'checkout');
    execFileSync('git', ['clone', '-q', '--branch', report.result.branch, repo, checkout]);
    expect(nodeTest(checkout)).toBe(0);

    // The user's working tree and current branch are untouched.
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(headBefore);
    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git(repo, 'status', '--porcelain')).toBe('?? notes.txt');
    const trace = readFileSync((report as unknown as { files: { trace: string } }).files.trace, 'utf8');
    expect(trace).toContain(`uncommitted changes in ${repo} were left out`);
    // The trace reads as the schedule: each step starts after the one before it, and each job is sent by its own step.
    const events = trace
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { kind: string; jobId?: string; data: { node?: string; role?: string } });
    const steps = events.filter((e) => e.kind === 'node.started').map((e) => e.data.node);
    expect(steps).toEqual([
      'prepare',
      'plan',
      'code',
      'code',
      'integrate',
      'code',
      'integrate',
      'test',
      'review',
      'finalize',
    ]);
    const sentIn = (role: string) => {
      const at = events.findIndex((e) => e.kind === 'job.dispatched' && e.data.role === role);
      return events
        .slice(0, at)
        .filter((e) => e.kind === 'node.started')
        .at(-1)?.data.node;
    };
    expect([sentIn('planner'), sentIn('coder'), sentIn('tester'), sentIn('reviewer')]).toEqual([
      'plan',
      'code',
      'test',
      'review',
    ]);
    const testers = report.jobs.filter((job) => job.role === 'tester');
    expect(testers.map((job) => job.jobId)).toEqual([expect.stringMatching(/-test-r0$/)]);
    expect(events.some((e) => e.jobId === testers[0]?.jobId && e.kind === 'command.started')).toBe(true);

    // No container is left behind.
    expect(containersOfTask(report.taskId)).toEqual([]);
  });
});

// `codecrew demo` always runs its own worker, on the one demo repository under .codecrew/demo: once is enough.
if (!REMOTE_WORKERS)
  describe('codecrew demo (what npm run demo runs after setup)', () => {
    it('prepares the demo repository and gets the demo task approved', async () => {
      const dir = await tempDirFor('codecrew demo');
      const run = await runCli(['demo'], { env: { CODECREW_DATA_DIR: join(dir, 'data') } });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Demo repository: ');
      expect(run.stdout).toContain('Model: SCRIPTED');
      expect(run.stdout).toMatch(/\nResult: approved\n/);
      expect(run.stdout).toMatch(/branch: {2}codecrew\/textkit-slug-title in .*\.codecrew\/demo\/textkit/);
    });
  });
