// The thread of startModelServerThread: loads the TypeScript sources through tsx, then serves the script.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { ModelScript, startScriptedModelServer } = await import('@codecrew/llm');
const server = await startScriptedModelServer({ script: ModelScript.parse(workerData.script) });
parentPort.on('message', (message) => {
  if (message === 'close') void server.close().then(() => parentPort.close());
});
parentPort.postMessage({ url: server.url });
