// Runs child processes for codecrew off the main thread: starting a process
// blocks the thread that starts it for several milliseconds on some hosts.
import { spawn } from 'node:child_process';
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (request) => {
  const { id, file, args, cwd, env, extraEnv, input, maxBuffer, user } = request;
  const out = [];
  const err = [];
  let outBytes = 0;
  let overflow = false;
  let settled = false;
  const reply = (message) => {
    if (settled) return;
    settled = true;
    parentPort.postMessage({ id, ...message });
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
  child.stdin.end(input ?? null);
});
