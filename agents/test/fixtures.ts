import type { Job } from '@codecrew/core';

/** A coder job for tests, with `extra` fields over it. */
export function testJob(extra: Partial<Job> = {}): Job {
  return {
    id: 'j',
    taskId: 't',
    role: 'coder',
    attempt: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    prompt: 'Add a slugify function.',
    agentsMd: '<!-- AGENTS.md from ./ -->\nUse two spaces.\n',
    tree: { name: 'tree', size: 1 },
    model: { name: 'scripted' },
    maxSteps: 25,
    timeoutMs: 60_000,
    sandbox: {
      image: 'x',
      cpus: 1,
      memoryBytes: 1,
      pids: 1,
      tmpBytes: 1,
      commandTimeoutMs: 300_000,
      maxOutputBytes: 1,
    },
    input: {
      role: 'coder',
      kind: 'implement',
      subtask: { id: 's', title: 'S', description: 'd', files: [], depends_on: [] },
      instructions: '',
    },
    ...extra,
  };
}
