// A `codecrew worker` stops on SIGTERM whatever NATS is doing: here NATS is gone while the worker
// runs a job. It cancels the job, removes its sandboxes and exits; a second signal exits at once.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startNats } from '@codecrew/bus/testing';
import { ModelScript, startScriptedModelServer, type ScriptedModelServer } from '@codecrew/llm';
import { DockerSandboxProvider } from '@codecrew/sandbox';
import { ROOT, TEXTKIT, makeGitRepo, tempDirFor } from '../support/cli.ts';
import { SCRIPTED_MODEL } from '../support/scripted-run.ts';
import { writeTaskFile } from '../support/task-file.ts';
import { sandboxesWhere, startWorker, until, type WorkerProcess } from '../support/worker-process.ts';

const CLI = join(ROOT, 'packages/cli/bin/codecrew.js');

/**
 * A planner that runs a command at once (its sandbox starts) and whose next answer takes two minutes:
 * the job is running, in its sandbox, waiting for the model.
 */
const slowPlanner = ModelScript.parse({
  version: 1,
  rules: [
    {
      match: { agent: 'planner' },
      replies: [
        { latency_ms: 50, tool_calls: [{ name: 'shell', args: { command: 'ls' } }] },
        { latency_ms: 120_000, tool_calls: [{ name: 'list_files', args: { path: '.' } }] },
      ],
    },
  ],
});

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups.length = 0;
});

/**
 * A worker on its own nats-server running the planner job of a `codecrew run --no-worker`, then NATS
 * stopped: returns the worker once its planner sandbox runs and NATS is gone.
 */
async function workerWithNatsGone(testName: string): Promise<{ worker: WorkerProcess; server: ScriptedModelServer }> {
  const dir = await tempDirFor(testName);
  const repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
  const server = await startScriptedModelServer({ script: slowPlanner });
  cleanups.push(() => server.close());
  const nats = await startNats(testName);
  cleanups.push(() => nats.stop());
  const modelEnv = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: '' };
  const worker = await startWorker({ natsUrl: nats.url, dataDir: join(dir, 'worker-data'), env: modelEnv });
  cleanups.push(() => worker.stop('SIGKILL'));
  const task = await writeTaskFile(dir, { name: 'stop', repo, prompt: 'Work on textkit.' });
  const run = spawn(process.execPath, [CLI, 'run', task, '--model', SCRIPTED_MODEL, '--no-worker'], {
    cwd: ROOT,
    env: { ...process.env, ...modelEnv, NO_COLOR: '1', NATS_URL: nats.url, CODECREW_DATA_DIR: join(dir, 'data') },
    stdio: 'ignore',
  });
  cleanups.push(async () => run.kill('SIGKILL'));

  const running = await until(async () => {
    // The planner has run its command and asked the model again.
    const asked = server.requests.filter((request) => request.headers.agent === 'planner').length >= 2;
    return (
      asked && (await sandboxesWhere((s) => s.labels.owner === worker.owner && s.labels.role === 'planner')).length > 0
    );
  }, 90_000);
  expect(running, `the worker's planner never ran:\n${worker.output()}`).toBe(true);
  await nats.stop();
  return { worker, server };
}

describe('codecrew worker on SIGTERM', () => {
  it('stops within its deadline after NATS is gone: the job is cancelled and its sandboxes removed', async () => {
    const { worker } = await workerWithNatsGone('worker stop nats gone');
    // The worker gives itself 10 s and exits 1 past them; exit 0 means it stopped cleanly in time.
    const exit = await worker.stop('SIGTERM', 30_000);
    expect(exit, worker.output()).toEqual({ code: 0, signal: null });
    expect(worker.output()).toMatch(
      /stopping \(SIGTERM\): cancelling 1 job\(s\), handing them back to the queue and removing their sandboxes/,
    );
    expect(worker.output()).toMatch(/worker \S+ stopped\n/);
    expect(worker.output()).not.toContain('unexpected error');
    expect(worker.output()).not.toMatch(/\n\s+at /); // no stack trace
    expect(await sandboxesWhere((s) => s.labels.owner === worker.owner)).toEqual([]);
  });

  it('exits at once on a second SIGTERM or SIGINT while it stops', async () => {
    for (const second of ['SIGTERM', 'SIGINT'] as const) {
      const { worker } = await workerWithNatsGone(`worker stop twice ${second}`);
      worker.child.kill('SIGTERM');
      await worker.waitFor(/stopping \(SIGTERM\)/, 10_000);
      const exit = await worker.stop(second, 30_000);
      expect(exit, worker.output()).toEqual({ code: second === 'SIGINT' ? 130 : 143, signal: null });
      expect(worker.output()).toContain(`codecrew worker: ${second} again, exiting now`);
      expect(worker.output()).not.toContain('unexpected error');
      // What it left behind is an orphan now: the next codecrew process's reaper removes it, as here.
      await new DockerSandboxProvider().reap();
      expect(await sandboxesWhere((s) => s.labels.owner === worker.owner)).toEqual([]);
    }
  });
});
