import { Worker } from 'node:worker_threads';
import type { ModelScript } from '@codecrew/llm';

/** A scripted model server answering from its own thread. */
export interface ThreadedModelServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the scripted model server on a worker thread, so that its timers
 * (the script's `latency_ms`) run on their own event loop, as a remote
 * model's would: work on the main thread cannot delay when a reply is sent,
 * only when it is read.
 */
export async function startModelServerThread(script: ModelScript): Promise<ThreadedModelServer> {
  const worker = new Worker(new URL('./model-server-thread.worker.mjs', import.meta.url), { workerData: { script } });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('message', (message: { url: string }) => resolve(message.url));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the model server thread exited with code ${code} before it listened`)),
    );
  });
  return {
    url,
    async close() {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('close');
      await exited;
    },
  };
}
