import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TRACE_HOOK = new URL('./import-trace.mjs', import.meta.url).href;

/** Modules that mean NATS, Docker, LangGraph/LangChain, the HTTP server or a database were loaded. */
export const HEAVY_MODULES: readonly RegExp[] = [
  /\/@nats-io\//,
  /\/dockerode\//,
  /\/docker-modem\//,
  /\/@langchain\//,
  /\/fastify\//,
  /\/better-sqlite3\//,
  /\/node_modules\/pg\//,
  /\/openai\//,
];

/** What a traced run of a codecrew bin did: its exit code, output and every module URL it resolved. */
export interface TracedRun {
  status: number | null;
  stdout: string;
  stderr: string;
  modules: string[];
}

/** Runs `node <bin> ...args` with every resolved module recorded (see import-trace.mjs). */
export function runTraced(bin: string, args: string[], cwd: string, timeoutMs = 60_000): TracedRun {
  const trace = join(mkdtempSync(join(tmpdir(), 'codecrew-import-trace-')), 'modules.txt');
  const child = spawnSync(process.execPath, ['--import', TRACE_HOOK, bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', CODECREW_IMPORT_TRACE: trace },
    timeout: timeoutMs,
  });
  let modules: string[] = [];
  try {
    modules = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  } catch {
    modules = [];
  }
  return { status: child.status, stdout: child.stdout, stderr: child.stderr, modules };
}

/** The heavy modules (see {@link HEAVY_MODULES}) among a run's resolved modules. */
export function heavyModulesOf(run: TracedRun): string[] {
  return run.modules.filter((url) => HEAVY_MODULES.some((pattern) => pattern.test(url)));
}
