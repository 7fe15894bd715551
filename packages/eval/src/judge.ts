import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CodecrewError, type SandboxLimits } from '@codecrew/core';
import { Workspace, type Sandbox, type SandboxProvider } from '@codecrew/sandbox';
import type { EvalInstance } from './instance.ts';
import { applyPatch, archive, cloneAt, commitAll, git } from './git.ts';

/** One named test and whether it passed (exit code 0) on one tree. */
export interface TestOutcome {
  name: string;
  exitCode: number | null;
  passed: boolean;
}

/** What judging found. `after` is null when the patch did not apply. */
export interface Judgement {
  resolved: boolean;
  /** Why the patch did not apply, or null. */
  patchError: string | null;
  /** FAIL_TO_PASS and PASS_TO_PASS on base_commit + test_patch (no fix). */
  before: TestOutcome[];
  /** FAIL_TO_PASS and PASS_TO_PASS on base_commit + patch + test_patch. */
  after: TestOutcome[] | null;
  /** Every command and its output, for the instance's judge log. */
  log: string;
}

/** Quotes `word` for bash. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that runs one test: `test_command` with `{tests}` replaced by the quoted name. */
export function testCommandFor(instance: EvalInstance, test: string): string {
  return instance.test_command.split('{tests}').join(shellQuote(test));
}

/** What the judge needs: sandboxes, their limits (the instance's image), and a scratch folder. */
export interface JudgeContext {
  sandboxes: SandboxProvider;
  limits: SandboxLimits;
  scratchDir: string;
  /** Labels the judge's containers with this eval run. */
  runId: string;
}

/**
 * Judges `patch` on `instance`: in fresh sandboxes, runs each test of FAIL_TO_PASS and PASS_TO_PASS
 * once on base_commit + test_patch (before) and once on base_commit + patch + test_patch (after).
 * Resolved: every test passes after. A patch that does not apply is unresolved; a sandbox that
 * cannot start or a test_patch that does not apply throws (an infrastructure error, not a verdict).
 */
export async function judgePatch(instance: EvalInstance, patch: string, context: JudgeContext): Promise<Judgement> {
  const dir = await mkdtemp(join(context.scratchDir, 'judge-'));
  const log: string[] = [];
  try {
    const repo = join(dir, 'repo');
    await cloneAt(instance.repo, instance.base_commit, repo);
    const testPatchError = await applyPatch(repo, instance.test_patch);
    if (testPatchError !== null)
      throw new CodecrewError('GIT_FAILED', `the instance's test_patch does not apply: ${testPatchError}`);
    const before = await runTests(instance, repo, await commitAll(repo, 'tests'), 'before', context, dir, log);
    await git(repo, ['checkout', '-q', '--detach', instance.base_commit]);
    const patchError = await applyPatch(repo, patch);
    if (patchError !== null) {
      log.push(`# the patch does not apply\n${patchError}`);
      return { resolved: false, patchError, before, after: null, log: log.join('\n') };
    }
    const alsoTests = await applyPatch(repo, instance.test_patch);
    if (alsoTests !== null) {
      log.push(`# test_patch does not apply on top of the patch\n${alsoTests}`);
      return { resolved: false, patchError: alsoTests, before, after: null, log: log.join('\n') };
    }
    const after = await runTests(instance, repo, await commitAll(repo, 'tests'), 'after', context, dir, log);
    return { resolved: after.every((test) => test.passed), patchError: null, before, after, log: log.join('\n') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runTests(
  instance: EvalInstance,
  repo: string,
  commit: string,
  label: string,
  context: JudgeContext,
  dir: string,
  log: string[],
): Promise<TestOutcome[]> {
  const workspace = await Workspace.create({
    parentDir: join(dir, label),
    tar: await archive(repo, commit),
    baseline: false,
  });
  let sandbox: Sandbox | null = null;
  try {
    sandbox = await context.sandboxes.create({
      workspaceDir: workspace.root,
      readOnly: false,
      limits: context.limits,
      labels: { task: context.runId, job: `judge-${instance.instance_id}-${label}`, role: 'judge' },
    });
    const outcomes: TestOutcome[] = [];
    for (const name of [...instance.FAIL_TO_PASS, ...instance.PASS_TO_PASS]) {
      const command = testCommandFor(instance, name);
      const result = await sandbox.exec(command);
      const passed = result.exitCode === 0;
      outcomes.push({ name, exitCode: result.exitCode, passed });
      log.push(
        `# ${label}: ${command} → exit ${result.exitCode ?? 'none'}${result.timedOut ? ' (timed out)' : ''}`,
        result.stdout.trimEnd(),
        result.stderr.trimEnd(),
      );
    }
    return outcomes;
  } finally {
    await sandbox?.destroy().catch(() => undefined);
    await workspace.dispose().catch(() => undefined);
  }
}
