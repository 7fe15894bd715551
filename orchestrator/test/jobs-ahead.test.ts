import { describe, expect, it } from 'vitest';
import { emptyUsage, type Job, type JobResult } from '@codecrew/core';
import type { Bus } from '@codecrew/bus';
import type { GraphDeps } from '../src/graph/deps.ts';
import { TaskBudget } from '../src/graph/budget.ts';
import { Slots } from '../src/graph/slots.ts';
import { runOnCrew, sendJobAhead } from '../src/graph/jobs.ts';

/** Graph deps over a bus that records what is sent and answers every job at once. */
function fakeDeps(): { deps: GraphDeps; sent: Job[]; events: string[] } {
  const sent: Job[] = [];
  const events: string[] = [];
  const bus = {
    dispatchJob: async (job: Job) => void sent.push(job),
    awaitResult: async (taskId: string, jobId: string): Promise<JobResult> => {
      const job = sent.find((j) => j.id === jobId) as Job;
      const now = new Date().toISOString();
      return { jobId, taskId, role: job.role, status: 'succeeded', usage: emptyUsage(), steps: 1, startedAt: now, finishedAt: now, worker: 'w', commands: [], output: { role: 'asker', markdown: job.prompt } };
    },
  } as unknown as Bus;
  const deps: GraphDeps = {
    bus,
    emit: (_kind, message) => void events.push(message),
    signal: new AbortController().signal,
    budget: new TaskBudget({ maxTokens: null, maxCostUsd: null, maxDurationMs: null }),
    coderSlots: new Slots(2),
    memo: new Map(),
    atEnd: [],
    resumed: false,
  };
  return { deps, sent, events };
}

const job = (over: Partial<Job> = {}): Job => ({
  id: 't1-ask',
  taskId: 't1',
  role: 'asker',
  attempt: 1,
  createdAt: new Date().toISOString(),
  prompt: 'what is here?',
  agentsMd: '',
  tree: { name: 'trees/a.tar', size: 3 },
  model: { name: 'scripted' },
  maxSteps: 5,
  timeoutMs: 60_000,
  sandbox: { image: 'i', cpus: 1, memoryBytes: 1, pids: 1, tmpBytes: 1, commandTimeoutMs: 1, maxOutputBytes: 1 },
  input: { role: 'asker' },
  ...over,
});

describe('jobs sent ahead of their step', () => {
  it('the step that builds the same job waits for the one sent ahead instead of sending it again', async () => {
    const { deps, sent } = fakeDeps();
    let tellAhead = 0;
    sendJobAhead(deps, 't1-ask', Promise.resolve(job()), () => tellAhead++);
    // Built again later (another createdAt): the same job.
    const result = await runOnCrew(deps, job({ createdAt: 'later' }), () => tellAhead++);
    expect(result.output).toEqual({ role: 'asker', markdown: 'what is here?' });
    expect(sent).toHaveLength(1);
    // The step's own "once dispatched" work runs too (it is idempotent where it is used).
    expect(tellAhead).toBe(2);
    // Taken once: a later run of the step (a retry) sends its own.
    await runOnCrew(deps, job());
    expect(sent).toHaveLength(2);
  });

  it('says so when the step built other inputs, and uses the job sent ahead (the bus keeps the first of an id)', async () => {
    const { deps, sent, events } = fakeDeps();
    sendJobAhead(deps, 't1-ask', Promise.resolve(job()));
    const result = await runOnCrew(deps, job({ prompt: 'something else' }));
    expect(result.output).toEqual({ role: 'asker', markdown: 'what is here?' });
    expect(sent).toHaveLength(1);
    expect(events.some((e) => e.includes('was sent ahead with other inputs'))).toBe(true);
  });

  it('sends the job itself when the one ahead could not be built', async () => {
    const { deps, sent } = fakeDeps();
    sendJobAhead(deps, 't1-ask', Promise.reject(new Error('no tree')));
    await runOnCrew(deps, job());
    expect(sent).toHaveLength(1);
  });
});
