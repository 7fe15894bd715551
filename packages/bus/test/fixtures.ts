import { emptyUsage, newId } from '@codecrew/core';
import type { Job, JobResult, Role } from '@codecrew/core';

/** A valid asker job; asker jobs have the smallest input and output. */
export function askerJob(overrides: Partial<Job> = {}): Job {
  return {
    id: newId('job_'),
    taskId: newId('task_'),
    role: 'asker',
    attempt: 1,
    createdAt: new Date().toISOString(),
    prompt: 'What does this repository do?',
    agentsMd: '',
    tree: { name: 'trees/x.tar', size: 10 },
    model: { name: 'scripted' },
    maxSteps: 5,
    timeoutMs: 60_000,
    sandbox: {
      image: 'codecrew-sandbox:latest',
      cpus: 1,
      memoryBytes: 512 * 1024 * 1024,
      pids: 128,
      tmpBytes: 64 * 1024 * 1024,
      commandTimeoutMs: 30_000,
      maxOutputBytes: 65_536,
    },
    input: { role: 'asker' },
    ...overrides,
  };
}

/** A succeeded result of `job` whose answer is `markdown`. */
export function answer(job: Job, markdown: string, worker = 'test-worker'): JobResult {
  const now = new Date().toISOString();
  return {
    jobId: job.id,
    taskId: job.taskId,
    role: job.role as Role,
    status: 'succeeded',
    output: { role: 'asker', markdown },
    usage: emptyUsage(),
    commands: [],
    steps: 1,
    startedAt: now,
    finishedAt: now,
    worker,
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last answer. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(50);
  }
  return check();
}
