// The thread that starts the processes of runProcess (see spawn-thread.ts). Starting a process blocks the
// starting thread until the child has called exec; on a busy machine that is tens of milliseconds each,
// which on the main thread would hold up every request, timer and model reply of the process.
import { spawn } from 'node:child_process';
import { parentPort } from 'node:worker_threads';

/** Copies a Buffer's bytes into an ArrayBuffer of their own, which can be transferred. */
function own(buffer) {
  const copy = new Uint8Array(buffer.length);
  copy.set(buffer);
  return copy.buffer;
}

parentPort.on('message', (request) => {
  const { id, file, args, cwd, env, input, maxBuffer, user } = request;
  const answer = (message, transfer = []) => parentPort.postMessage({ id, ...message }, transfer);
  let child;
  try {
    child = spawn(file, args, { cwd, env, stdio: 'pipe', ...user });
  } catch (error) {
    answer({ error: { message: error.message, code: error.code } });
    return;
  }
  const out = [];
  const err = [];
  let bytes = 0;
  let overflow = false;
  let failed = null;
  child.stdout.on('data', (chunk) => {
    bytes += chunk.length;
    if (bytes <= maxBuffer) out.push(chunk);
    else if (!overflow) {
      overflow = true;
      child.kill('SIGKILL');
    }
  });
  child.stderr.on('data', (chunk) => err.push(chunk));
  child.on('error', (error) => {
    failed ??= { message: error.message, code: error.code };
    // A process that never started emits no close: answer now.
    if (child.pid === undefined) answer({ error: failed });
  });
  child.on('close', (code, signal) => {
    if (child.pid === undefined) return;
    if (overflow) {
      answer({ error: { message: `output exceeded ${maxBuffer} bytes`, code: 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' } });
      return;
    }
    if (failed !== null) {
      answer({ error: failed });
      return;
    }
    const stdout = own(Buffer.concat(out));
    const stderr = own(Buffer.concat(err));
    answer({ code, signal, stdout, stderr }, [stdout, stderr]);
  });
  // A process that exits without reading its input closes the pipe: not an error of ours.
  child.stdin.on('error', () => undefined);
  child.stdin.end(input === undefined ? null : Buffer.from(input));
});
