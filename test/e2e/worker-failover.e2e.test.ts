// A worker killed mid-job costs nothing: the demo task, its coders on a `codecrew worker --roles coder`
// that is SIGKILLed while its coder sandboxes run (after the coders wrote their files), a second worker
// (all roles) on the same NATS taking over, and `codecrew run --no-worker`. Ten kills, ten approvals
// with the same diff as an undisturbed run, the lost attempts in the report, no sandbox left.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { EmbeddedNats } from '@codecrew/bus';
import { startNats } from '@codecrew/bus/testing';
import { ModelScript, startScriptedModelServer, type ScriptedModelServer } from '@codecrew/llm';
import { DockerSandboxProvider } from '@codecrew/sandbox';
import {
  ROOT,
  TEXTKIT,
  containersOfTask,
  makeGitRepo,
  readReport,
  runCli,
  tempDirFor,
  type CliRun,
} from '../support/cli.ts';
import type { TraceLine } from '../support/scripted-run.ts';
import { writeTaskFile } from '../support/task-file.ts';
import { sandboxesWhere, startWorker, until, type WorkerProcess } from '../support/worker-process.ts';

const KILLS = Number(process.env.FAILOVER_KILLS ?? 10);

interface Reply {
  latency_ms?: number;
  [key: string]: unknown;
}

/** The model of the runs whose coder worker is killed; the undisturbed run uses another name. */
const KILLED_MODEL = 'scripted-failover';

/**
 * The demo's script, with a rule in front for the two coders that run at once, on the first delivery
 * of a run whose worker is killed: they answer in 800 ms until they have written their file and run a
 * command (which starts their sandboxes), and the answer after that (their fourth) waits 10 minutes,
 * so the coder worker is surely mid-job, its sandboxes running, when the test kills it. A second
 * delivery (the takeover) is a new conversation and takes the demo's own rule, at 50 ms like everyone
 * else, to keep each run short.
 */
function failoverScript(): ModelScript {
  const demo = parse(readFileSync(join(ROOT, 'examples/scripts/demo.script.yaml'), 'utf8')) as {
    rules: Array<{ match: { agent?: string; subtask?: string; model?: string; delivery?: number }; replies: Reply[] }>;
  };
  const fast = (replies: Reply[]) => replies.map((reply) => ({ ...reply, latency_ms: 50 }));
  const rules = demo.rules.flatMap((rule) => {
    const killed = rule.match.agent === 'coder' && (rule.match.subtask === 'slug' || rule.match.subtask === 'title');
    const demoRule = { ...rule, replies: fast(rule.replies) };
    if (!killed) return [demoRule];
    const command: Reply = { tool_calls: [{ name: 'shell', args: { command: 'ls src' } }] };
    const firstDelivery = [...rule.replies.slice(0, 2), command, ...rule.replies.slice(2)].map((reply, index) => ({
      ...reply,
      latency_ms: index === 3 ? 600_000 : 800,
    }));
    return [{ match: { ...rule.match, model: KILLED_MODEL, delivery: 1 }, replies: firstDelivery }, demoRule];
  });
  return ModelScript.parse({ ...demo, rules, latency_ms: 800 });
}

let nats: EmbeddedNats;
let server: ScriptedModelServer;
let planners: WorkerProcess;
let root: string;
const modelEnv = (): NodeJS.ProcessEnv => ({ OPENAI_BASE_URL: server.url, OPENAI_API_KEY: '' });

beforeAll(async () => {
  root = await tempDirFor('worker failover');
  server = await startScriptedModelServer({ script: failoverScript() });
  nats = await startNats('worker failover');
  // Planner, tester and reviewer run here for every run; coders run only where the test puts them.
  planners = await startWorker({
    natsUrl: nats.url,
    dataDir: join(root, 'planners'),
    roles: 'planner,tester,reviewer',
    env: modelEnv(),
  });
});

afterAll(async () => {
  await planners?.stop();
  await nats?.stop();
  await server?.close();
  // The killed workers' idle pooled sandboxes are orphans: the next codecrew process would reap them.
  await new DockerSandboxProvider().reap();
});

/** Runs the demo task with `codecrew run --no-worker` on the shared NATS. */
async function runDemo(
  name: string,
  model: string,
  during: (requests: () => ScriptedModelServer['requests']) => Promise<void>,
): Promise<CliRun> {
  const dir = join(root, name);
  const repo = await makeGitRepo(TEXTKIT, join(dir, 'textkit'));
  const spec = await writeTaskFile(dir, {
    name,
    repo,
    prompt: 'Add slugify and titleCase, exported from src/index.js, so that all tests pass.',
    model,
    extra: { parallelism: 2, review: { maxRounds: 1 } },
  });
  const first = server.requests.length;
  const run = runCli(['run', spec, '--no-worker'], {
    env: { ...modelEnv(), NATS_URL: nats.url, CODECREW_DATA_DIR: join(dir, 'data') },
    timeoutMs: 180_000,
  });
  await during(() => server.requests.slice(first));
  return run;
}

interface Report {
  status: string;
  taskId: string;
  result: { diffPath: string };
  jobs: Array<{
    jobId: string;
    role: string;
    subtaskId: string | null;
    attempts: Array<{ delivery: number; worker: string; outcome: string }>;
  }>;
  files: { trace: string; report: string };
}

describe('a coder worker killed mid-job', () => {
  it(
    `costs nothing: ${KILLS} kills, ${KILLS} approved runs with the diff of an undisturbed run`,
    { timeout: 1_800_000 },
    async () => {
      // The undisturbed run: the same crew, nobody killed.
      const steady = await startWorker({
        natsUrl: nats.url,
        dataDir: join(root, 'steady'),
        roles: 'coder',
        env: modelEnv(),
      });
      const undisturbed = await runDemo('undisturbed', 'scripted-steady', async () => undefined).finally(() =>
        steady.stop(),
      );
      expect(undisturbed.code, undisturbed.stdout + undisturbed.stderr).toBe(0);
      const baseline = await readReport(undisturbed);
      const expectedDiff = await readFile((baseline as unknown as Report).result.diffPath, 'utf8');
      expect(expectedDiff).toContain('src/slug.js');

      const outcomes: unknown[] = [];
      for (let kill = 1; kill <= KILLS; kill += 1) {
        const coders = await startWorker({
          natsUrl: nats.url,
          dataDir: join(root, `coders-${kill}`),
          roles: 'coder',
          env: modelEnv(),
        });
        let takeover: WorkerProcess | undefined;
        let midJob = false;
        try {
          const run = await runDemo(`failover-${kill}`, KILLED_MODEL, async (requests) => {
            const asked = (subtask: string) =>
              requests().filter(
                (r) => r.headers.agent === 'coder' && r.headers.subtask === subtask && r.headers.delivery === '1',
              );
            // Both coders have asked the model: both jobs are on the coder worker, in their sandboxes.
            expect(await until(() => asked('slug').length > 0 && asked('title').length > 0, 120_000)).toBe(true);
            takeover = await startWorker({
              natsUrl: nats.url,
              dataDir: join(root, `takeover-${kill}`),
              env: modelEnv(),
            });
            // Both have written their file and run a command in their sandbox, and wait for the next answer.
            expect(await until(() => asked('slug').length >= 4 && asked('title').length >= 4, 120_000)).toBe(true);
            const running = await sandboxesWhere((s) => s.labels.owner === coders.owner && s.labels.role === 'coder');
            midJob = running.length === 2 && asked('slug').length < 5 && asked('title').length < 5;
            coders.child.kill('SIGKILL');
            await coders.exited;
          });
          const report = (await readReport(run)) as unknown as Report;
          const trace = (await readFile(report.files.trace, 'utf8'))
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as TraceLine);
          const who = (worker: string) =>
            worker === coders.id ? 'killed' : worker === takeover?.id ? 'takeover' : worker;
          const attempts = (subtask: string) =>
            report.jobs
              .filter((job) => job.role === 'coder' && job.subtaskId === subtask)
              .flatMap((job) => job.attempts.map((a) => `${a.delivery} ${who(a.worker)} ${a.outcome}`));
          const redelivered = server.requests.filter(
            (r) => r.headers.task === report.taskId && r.headers.delivery === '2',
          );
          outcomes.push({
            kill,
            midJob,
            code: run.code,
            status: report.status,
            sameDiff: (await readFile(report.result.diffPath, 'utf8')) === expectedDiff,
            slug: attempts('slug'),
            title: attempts('title'),
            // The second delivery is a new conversation: each coder's first request of it takes the first reply.
            secondDeliveryStartsOver: ['slug', 'title'].map(
              (s) => redelivered.find((r) => r.headers.subtask === s)?.reply,
            ),
            takeovers: trace
              .filter((e) => e.kind === 'log' && e.data.takeover === true)
              .map((e) => e.subtaskId)
              .sort(),
            lostInMarkdown: (await readFile(report.files.report, 'utf8')).includes(
              'lost — the worker stopped answering',
            ),
            sandboxesLeft:
              (await sandboxesWhere((s) => s.labels.task === report.taskId)).length +
              containersOfTask(report.taskId).length,
          });
        } finally {
          await coders.stop('SIGKILL');
          await takeover?.stop();
        }
      }
      const expected = (kill: number) => ({
        kill,
        midJob: true,
        code: 0,
        status: 'approved',
        sameDiff: true,
        slug: ['1 killed lost', '2 takeover succeeded'],
        title: ['1 killed lost', '2 takeover succeeded'],
        secondDeliveryStartsOver: [0, 0],
        takeovers: ['slug', 'title'],
        lostInMarkdown: true,
        sandboxesLeft: 0,
      });
      expect(outcomes).toEqual(Array.from({ length: KILLS }, (_, i) => expected(i + 1)));
    },
  );
});
