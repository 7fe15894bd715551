import { spawn } from 'node:child_process';
import { CodecrewError } from '@codecrew/core';

/** What a git command printed and how it exited. */
export interface GitOutput {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs git with no system or global config, so results do not depend on the
 * host user's settings (hooks, autocrlf, signing) and need no identity configured.
 */
export function runGit(args: string[], options: { cwd: string; input?: string | Buffer }): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: options.cwd,
        LANG: 'C',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_TERMINAL_PROMPT: '0',
      },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) =>
      reject(new CodecrewError('GIT_FAILED', `could not run git (is it installed? apt-get install git): ${error.message}`, { cause: error })),
    );
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Runs git and throws GIT_FAILED unless it exits 0. */
export async function git(args: string[], options: { cwd: string; input?: string | Buffer }): Promise<Buffer> {
  const result = await runGit(args, options);
  if (result.code !== 0) {
    throw new CodecrewError('GIT_FAILED', `git ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`, {
      details: { args, exitCode: result.code },
    });
  }
  return result.stdout;
}
