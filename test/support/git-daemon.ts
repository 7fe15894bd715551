import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A `git daemon` serving the bare repositories of a directory on 127.0.0.1, pushes allowed. */
export interface GitDaemon {
  /** `git://127.0.0.1:<port>/`: a repository `x.git` of the directory is `${url}x.git`. */
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts `git daemon --export-all --enable=receive-pack` over `baseDir` and waits until it listens. */
export async function startGitDaemon(baseDir: string): Promise<GitDaemon> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'git',
    [
      'daemon',
      '--verbose',
      '--reuseaddr',
      '--export-all',
      '--enable=receive-pack',
      `--base-path=${baseDir}`,
      '--listen=127.0.0.1',
      `--port=${port}`,
      baseDir,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`git daemon did not start within 30 s:\n${output}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to rumble')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`git daemon exited (${code}) before it listened:\n${output}`));
    });
  });
  return {
    url: `git://127.0.0.1:${port}/`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
