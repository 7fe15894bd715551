import { Worker } from 'node:worker_threads';

/** What the spawn thread is asked to run (see runProcess). */
export interface SpawnRequest {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  input: string | Uint8Array | undefined;
  maxBuffer: number;
  user: { uid: number; gid: number } | undefined;
}

/** How the spawn thread answers: the process's end and output, or why it could not run. */
export type SpawnAnswer =
  | { code: number | null; signal: NodeJS.Signals | null; stdout: ArrayBuffer; stderr: ArrayBuffer }
  | { error: { message: string; code: string | undefined } };

/** Threads that start processes: a child being started blocks one of them, never the others or the main thread. */
const THREADS = 2;

interface SpawnThread {
  worker: Worker;
  pending: Map<number, (answer: SpawnAnswer) => void>;
}

const threads: SpawnThread[] = [];
let nextId = 1;

function startThread(): SpawnThread {
  const worker = new Worker(new URL('./spawn-thread.worker.mjs', import.meta.url));
  const thread: SpawnThread = { worker, pending: new Map() };
  // An idle thread does not keep the process alive; one waiting for a process does, as the process would.
  worker.unref();
  worker.on('message', (message: { id: number } & SpawnAnswer) => {
    const settle = thread.pending.get(message.id);
    thread.pending.delete(message.id);
    if (thread.pending.size === 0) worker.unref();
    settle?.(message);
  });
  const fail = (reason: string) => {
    threads.splice(threads.indexOf(thread), 1);
    for (const settle of thread.pending.values()) settle({ error: { message: reason, code: 'ERR_SPAWN_THREAD' } });
    thread.pending.clear();
  };
  worker.on('error', (error) => fail(`the thread that starts processes failed: ${error.message}`));
  worker.on('exit', (code) => {
    if (threads.includes(thread)) fail(`the thread that starts processes exited with code ${code}`);
  });
  threads.push(thread);
  return thread;
}

/**
 * Runs one process on a spawn thread (the least busy of {@link THREADS}, started when first needed) and
 * resolves with its answer. A request is sent once: a thread that dies answers its requests with an error
 * and never runs them again.
 */
export function spawnOnThread(request: SpawnRequest): Promise<SpawnAnswer> {
  let thread = threads.reduce<SpawnThread | undefined>(
    (best, t) => (best === undefined || t.pending.size < best.pending.size ? t : best),
    undefined,
  );
  if (thread === undefined || (thread.pending.size > 0 && threads.length < THREADS)) thread = startThread();
  const chosen = thread;
  const id = nextId++;
  return new Promise((resolve) => {
    chosen.pending.set(id, resolve);
    chosen.worker.ref();
    chosen.worker.postMessage({ id, ...request });
  });
}
