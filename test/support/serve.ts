import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Config } from '@codecrew/core';
import { connectBus, type Bus } from '@codecrew/bus';
import { startNats, testPrefix } from '@codecrew/bus/testing';
import { loadConfig } from '@codecrew/orchestrator';
import { startServer, type CodecrewServer, type ServerOptions } from '@codecrew/server';
import { openTaskStore, type TaskStore } from '@codecrew/store';
import { ROOT, TEXTKIT, makeGitRepo, tempDirFor } from './cli.ts';
import type { Exit } from './worker-process.ts';

const CLI = `${ROOT}/packages/cli/bin/codecrew.js`;
/** The `codecrew` command as installed: the built JavaScript (`npm run build` first), without tsx. */
export const INSTALLED_CLI = `${ROOT}/packages/codecrew/bin/codecrew.js`;

/** A `codecrew serve` child process. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<Exit>;
  /** Resolves once the output matches `pattern`; rejects if the process exits first or `timeoutMs` passes. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends `signal` if it still runs and waits for the exit (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<Exit>;
}

/** Starts `codecrew serve --port 0 ARGS` and waits until it listens. */
export async function startServe(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; cli?: string } = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [opts.cli ?? CLI, 'serve', '--port', '0', ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let done = false;
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  void exited.then(() => {
    done = true;
    for (const listener of listeners) listener();
  });
  const waitFor = (pattern: RegExp, timeoutMs = 120_000) =>
    new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        listeners.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(
        () => finish(new Error(`no ${pattern} from codecrew serve within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const check = () => {
        if (pattern.test(output)) finish();
        else if (done) finish(new Error(`codecrew serve exited before ${pattern}:\n${output}`));
      };
      listeners.add(check);
      check();
    });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<Exit> => {
    if (!done) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    return exited;
  };
  try {
    await waitFor(/codecrew serve: http:\/\/\S+/);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  const url = /codecrew serve: (http:\/\/[^\s]+)/.exec(output)?.[1] ?? '';
  return { child, url, output: () => output, exited, waitFor, stop };
}

/** A JSON answer of the API: its status and body. */
export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** Sends a request to the API and reads the answer as JSON (null when it has no body). */
export async function api<T = Record<string, unknown>>(
  url: string,
  path: string,
  init: RequestInit = {},
): Promise<ApiAnswer<T>> {
  const response = await fetch(`${url}${path}`, init);
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T, headers: response.headers };
}

/** POSTs a task file as YAML. */
export function submitYaml(url: string, yaml: string, headers: Record<string, string> = {}): Promise<ApiAnswer> {
  return api(url, '/v1/tasks', {
    method: 'POST',
    headers: { 'content-type': 'application/yaml', ...headers },
    body: yaml,
  });
}

/** An event as the API sends it. */
export interface EventLine {
  seq: number;
  kind: string;
  message: string;
  jobId?: string;
  role?: string;
  subtaskId?: string;
  data: Record<string, unknown>;
}

/** The events stored so far (JSON lines). */
export async function eventsSoFar(url: string, id: string, headers: Record<string, string> = {}): Promise<EventLine[]> {
  const response = await fetch(`${url}/v1/tasks/${id}/events`, {
    headers: { accept: 'application/x-ndjson', ...headers },
  });
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as EventLine);
}

/** What an SSE connection received before it ended or was closed. */
export interface SseRead {
  events: EventLine[];
  ids: number[];
  /** The `end` message's data, when it came. */
  end: { status: string | null; last_seq: number } | null;
  heartbeats: number;
}

/**
 * Reads a task's SSE stream (after `lastEventId`) until its `end` message, or until `stopAfter` events
 * have come (then the connection is closed by the client), or the connection drops.
 */
export async function readSse(
  url: string,
  id: string,
  opts: { lastEventId?: number; stopAfter?: number; headers?: Record<string, string> } = {},
): Promise<SseRead> {
  const controller = new AbortController();
  const read: SseRead = { events: [], ids: [], end: null, heartbeats: 0 };
  const response = await fetch(`${url}/v1/tasks/${id}/events`, {
    headers: {
      accept: 'text/event-stream',
      ...(opts.lastEventId === undefined ? {} : { 'last-event-id': String(opts.lastEventId) }),
      ...opts.headers,
    },
    signal: controller.signal,
  });
  if (response.status !== 200 || response.body === null) throw new Error(`SSE answered ${response.status}`);
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let at = buffer.indexOf('\n\n');
      while (at >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        at = buffer.indexOf('\n\n');
        if (block.startsWith(': heartbeat')) read.heartbeats++;
        let name = 'message';
        let eventId: number | null = null;
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) name = line.slice(7);
          else if (line.startsWith('id: ')) eventId = Number(line.slice(4));
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data === '') continue;
        if (name === 'end') {
          read.end = JSON.parse(data) as SseRead['end'];
          return read;
        }
        read.events.push(JSON.parse(data) as EventLine);
        if (eventId !== null) read.ids.push(eventId);
        if (opts.stopAfter !== undefined && read.events.length >= opts.stopAfter) {
          // The client goes away in the middle of the stream.
          controller.abort();
          throw new Error('stopped');
        }
      }
    }
  } catch {
    // Stopped by the client, or the connection dropped (the server was killed): what came is the answer.
  }
  return read;
}

/** Polls `GET /v1/tasks/{id}` until its status is one of `statuses`; the task as it then is. */
export async function waitForStatus(
  url: string,
  id: string,
  statuses: string[],
  timeoutMs = 200_000,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown> & { status: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api<Record<string, unknown> & { status: string }>(url, `/v1/tasks/${id}`, { headers });
    if (statuses.includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`task ${id} is still ${body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A server started in this process on real NATS and a real SQLite store, without a worker (jobs wait). */
export interface InProcessServer {
  url: string;
  dir: string;
  /** A git copy of textkit the tasks may name. */
  repo: string;
  store: TaskStore;
  bus: Bus;
  config: Config;
  server: CodecrewServer;
  /** A task file for `repo`. */
  taskYaml(name: string, extra?: string): string;
  close(): Promise<void>;
}

/** Starts the API in this process: tasks get claimed and wait for their planner, as no worker serves the bus. */
export async function startInProcessServer(
  testName: string,
  opts: Partial<Pick<ServerOptions, 'maxTasks' | 'token' | 'prepareTask' | 'host' | 'heartbeatMs'>> & {
    maxBodySize?: string;
    allowedRepoRoots?: string[];
  } = {},
): Promise<InProcessServer> {
  const dir = await tempDirFor(testName);
  const repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
  const nats = await startNats(testName);
  const prefix = testPrefix(testName);
  const bus = await connectBus({ servers: nats.url, name: testName, prefix, onError: () => undefined });
  const loaded = loadConfig({ cwd: dir, env: {} });
  const config: Config = {
    ...loaded,
    dataDir: join(dir, 'data'),
    nats: { ...loaded.nats, prefix },
    server: {
      maxBodySize: opts.maxBodySize ?? '64k',
      ...(opts.allowedRepoRoots === undefined ? {} : { allowedRepoRoots: opts.allowedRepoRoots }),
    },
  };
  const store = await openTaskStore({ dataDir: config.dataDir });
  const server = await startServer({
    config,
    store,
    bus,
    port: 0,
    cwd: dir,
    cancelWaitMs: 60_000,
    heartbeatMs: opts.heartbeatMs ?? 15_000,
    maxTasks: opts.maxTasks ?? 1,
    ...(opts.host === undefined ? {} : { host: opts.host }),
    ...(opts.token === undefined ? {} : { token: opts.token }),
    ...(opts.prepareTask === undefined ? {} : { prepareTask: opts.prepareTask }),
  });
  return {
    url: server.url,
    dir,
    repo,
    store,
    bus,
    config,
    server,
    taskYaml: (name, extra = '') =>
      `apiVersion: codecrew/v1\nkind: Task\nmetadata: { name: ${name} }\nspec:\n  repo: { path: ./repo }\n  prompt: Work on textkit.\n${extra}`,
    close: async () => {
      await server.close();
      await bus.close();
      await store.close();
      await nats.stop();
    },
  };
}

/**
 * A model script for tasks that write one note: the planner plans one subtask, the coder writes notes.txt
 * (first running `sleep N` when the task's prompt says `SLEEP N`), the reviewer approves. A prompt that
 * says SLOW-CODER makes the coder sleep for five minutes (to be cancelled).
 */
export const NOTE_SCRIPT = `version: 1
rules:
  - match: { agent: planner }
    replies:
      - tool_calls:
          - name: submit_plan
            args:
              summary: one note
              subtasks:
                - { id: note, title: Write a note, description: Write notes.txt, files: [notes.txt], depends_on: [] }
  - match: { agent: coder, last_message: "SLOW-CODER" }
    replies:
      - tool_calls: [{ name: shell, args: { command: "sleep 300" } }]
  - match: { agent: coder, last_message: "SLEEP 4" }
    replies:
      - tool_calls: [{ name: shell, args: { command: "sleep 4" } }]
      - tool_calls: [{ name: write_file, args: { path: notes.txt, content: "a note\\n" } }]
      - tool_calls: [{ name: finish, args: { summary: wrote the note } }]
  - match: { agent: coder }
    replies:
      - tool_calls: [{ name: write_file, args: { path: notes.txt, content: "a note\\n" } }]
      - tool_calls: [{ name: finish, args: { summary: wrote the note } }]
  - match: { agent: reviewer }
    replies:
      - tool_calls: [{ name: submit_review, args: { verdict: approve, summary: fine, comments: [] } }]
`;

/** A task file (YAML) for the note script, on `repo`. */
export function noteTask(name: string, repo: string, prompt = 'Write a note.'): string {
  return [
    'apiVersion: codecrew/v1',
    'kind: Task',
    `metadata: { name: ${name} }`,
    'spec:',
    `  repo: { path: ${JSON.stringify(repo)} }`,
    `  prompt: ${JSON.stringify(prompt)}`,
    '  test: { command: node --test test/words.test.js }',
    '  review: { maxRounds: 1 }',
    '',
  ].join('\n');
}
