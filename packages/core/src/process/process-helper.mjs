// Runs child processes for codecrew from a small helper process (or, where
// none can run, a worker thread): starting a process blocks the thread that
// starts it, for longer the bigger its process is.
import { spawn } from 'node:child_process';
import { parentPort } from 'node:worker_threads';

const post = parentPort ? (message) => parentPort.postMessage(message) : (message) => process.send?.(message);
const listen = (handler) => (parentPort ? parentPort.on('message', handler) : process.on('message', handler));
// A helper process ends with the process it serves.
if (!parentPort) process.on('disconnect', () => process.exit(0));

/** Processes started ahead of their input, by request id: they read it when it is fed, or are killed. */
const waiting = new Map();

listen((request) => {
  if (request.feed !== undefined || request.cancel === true) {
    const child = waiting.get(request.id);
    if (child === undefined) return;
    waiting.delete(request.id);
    if (request.cancel === true) child.kill('SIGKILL');
    else child.stdin.end(request.feed);
    return;
  }
  const { id, file, args, cwd, env, extraEnv, input, deferred, maxBuffer, user } = request;
  const out = [];
  const err = [];
  let outBytes = 0;
  let overflow = false;
  let settled = false;
  const reply = (message) => {
    if (settled) return;
    settled = true;
    waiting.delete(id);
    post({ id, ...message });
  };
  let child;
  try {
    const fullEnv = env ?? (extraEnv ? { ...process.env, ...extraEnv } : process.env);
    child = spawn(file, args, { cwd, env: fullEnv, stdio: ['pipe', 'pipe', 'pipe'], ...user });
  } catch (error) {
    reply({ error: { message: error.message, code: error.code } });
    return;
  }
  child.stdout.on('data', (chunk) => {
    outBytes += chunk.length;
    if (outBytes > maxBuffer) {
      overflow = true;
      child.kill('SIGKILL');
      return;
    }
    out.push(chunk);
  });
  child.stderr.on('data', (chunk) => err.push(chunk));
  child.on('error', (error) => reply({ error: { message: error.message, code: error.code } }));
  child.on('close', (code, signal) => {
    if (overflow) reply({ error: { message: `output exceeded ${maxBuffer} bytes`, code: 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' } });
    else reply({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
  });
  child.stdin.on('error', () => undefined);
  if (deferred) waiting.set(id, child);
  else child.stdin.end(input ?? null);
});
