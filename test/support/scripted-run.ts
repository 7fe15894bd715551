import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  ModelScript,
  startScriptedModelServer,
  type ScriptedModelServer,
  type ScriptedServerStats,
  type ScriptedModelServerOptions,
} from '@codecrew/llm';
import { TEXTKIT, makeGitRepo, readReport, runCli, tempDirFor, type CliRun } from './cli.ts';
import { writeTaskFile } from './task-file.ts';
import { withCrew } from './workers.ts';

/** One trace event as written to trace.jsonl. */
export interface TraceLine {
  kind: string;
  role?: string;
  subtaskId?: string;
  jobId?: string;
  at: string;
  message: string;
  data: Record<string, unknown>;
}

/** A finished scripted run: the CLI's output, the report, the trace, and the scripted server's request log. */
export interface ScriptedRun {
  run: CliRun;
  server: ScriptedModelServer;
  repo: string;
  dir: string;
  report: Record<string, unknown> & { status: string; taskId: string };
  trace: TraceLine[];
  /** The server's `GET /v1/_stats` at the end of the run: every request's prompt tokens and outcome, and totals. */
  stats: ScriptedServerStats;
}

/** The model name every scripted run uses; scripted by name, so no key is needed. */
export const SCRIPTED_MODEL = 'scripted-test';

/**
 * Runs `codecrew run` on a fresh git copy of textkit against a scripted model
 * server started here (so the test can inspect its requests).
 */
export async function runScripted(
  testName: string,
  script: { rules: unknown[]; [key: string]: unknown },
  spec: Record<string, unknown> = {},
  opts: {
    config?: Record<string, unknown>;
    prompt?: string;
    onRequest?: ScriptedModelServerOptions['onRequest'];
    /** Leave out `--model`: the task's `spec.models` (or the configuration) names each role's model. */
    specModels?: boolean;
  } = {},
): Promise<ScriptedRun> {
  const dir = await tempDirFor(testName);
  const repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
  const server = await startScriptedModelServer({
    script: ModelScript.parse({ version: 1, ...script }),
    ...(opts.onRequest === undefined ? {} : { onRequest: opts.onRequest }),
  });
  try {
    const task = await writeTaskFile(dir, {
      name: 'crew',
      repo,
      prompt: opts.prompt ?? 'Work on textkit.',
      extra: spec,
    });
    const args = ['run', task, ...(opts.specModels === true ? [] : ['--model', SCRIPTED_MODEL])];
    if (opts.config) {
      const config = join(dir, 'codecrew.yaml');
      await writeFile(config, stringify(opts.config));
      args.push('--config', config);
    }
    const env = { CODECREW_DATA_DIR: join(dir, 'data'), OPENAI_BASE_URL: server.url, OPENAI_API_KEY: '' };
    const run = await withCrew(testName, join(dir, 'worker-data'), env, (more, moreEnv) =>
      runCli([...args, ...more], { env: { ...env, ...moreEnv } }),
    );
    const report = (await readReport(run)) as ScriptedRun['report'];
    const tracePath = (report.files as { trace: string }).trace;
    const trace = (await readFile(tracePath, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as TraceLine);
    const stats = (await (await fetch(`${server.url}/_stats`)).json()) as ScriptedServerStats;
    return { run, server, repo, dir, report, trace, stats };
  } finally {
    await server.close();
  }
}

/** A reply calling one tool. */
export const call = (name: string, args: Record<string, unknown>) => ({ tool_calls: [{ name, args }] });

/** A reply calling several tools in order. */
export const calls = (...list: Array<[string, Record<string, unknown>]>) => ({
  tool_calls: list.map(([name, args]) => ({ name, args })),
});

/** A planner reply submitting these subtasks. */
export const plan = (subtasks: Array<{ id: string; files: string[]; depends_on?: string[]; attempts?: number }>) =>
  call('submit_plan', {
    summary: `${subtasks.length} subtask(s)`,
    subtasks: subtasks.map((s) => ({ title: `Do ${s.id}`, description: `Subtask ${s.id}`, depends_on: [], ...s })),
  });

/** A reviewer reply approving. */
export const approve = call('submit_review', { verdict: 'approve', summary: 'Looks right', comments: [] });

/** The line that exports slugify and titleCase from textkit's src/index.js, as an edit. */
export const EXPORT_BOTH = {
  path: 'src/index.js',
  old: "export { wordCount } from './words.js';\n",
  new: "export { wordCount } from './words.js';\nexport { slugify } from './slug.js';\nexport { titleCase } from './title.js';\n",
};

/** A correct slugify for textkit. */
export const SLUGIFY = `export function slugify(text) {
  return text.normalize('NFD').replace(/[\\u0300-\\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}
`;

/** A correct titleCase for textkit. */
export const TITLE_CASE = `const SMALL = new Set(['a', 'an', 'and', 'of', 'the', 'to', 'in', 'on', 'or']);
export function titleCase(text) {
  return text.toLowerCase().split(/(\\s+)/).map((w, i) => (w.trim() === '' || (i > 0 && SMALL.has(w)) ? w : w[0].toUpperCase() + w.slice(1))).join('');
}
`;

/** The jobs of a report. */
export function jobsOf(report: ScriptedRun['report']) {
  return report.jobs as Array<{
    jobId: string;
    role: string;
    subtaskId: string | null;
    round: number;
    status: string;
    startedAt: string;
    finishedAt: string;
    error: { code: string; message: string } | null;
    incomplete: string | null;
    commands: Array<{ command: string; exitCode: number | null }>;
  }>;
}
