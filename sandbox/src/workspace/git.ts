import { CodecrewError } from '@codecrew/core';
import { runProcess } from '../process/run-process.ts';

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
export async function runGit(args: string[], options: { cwd: string; input?: string | Buffer }): Promise<GitOutput> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: options.cwd,
    LANG: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
  };
  try {
    const out = await runProcess('git', args, {
      cwd: options.cwd,
      env,
      ...(options.input === undefined ? {} : { input: options.input }),
    });
    return { code: out.code ?? -1, stdout: out.stdout, stderr: out.stderr.toString('utf8') };
  } catch (error) {
    throw new CodecrewError(
      'GIT_FAILED',
      `could not run git (is it installed? apt-get install git): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Runs git and throws GIT_FAILED unless it exits 0. */
export async function git(args: string[], options: { cwd: string; input?: string | Buffer }): Promise<Buffer> {
  const result = await runGit(args, options);
  if (result.code !== 0) {
    throw new CodecrewError(
      'GIT_FAILED',
      `git ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`,
      {
        details: { args, exitCode: result.code },
      },
    );
  }
  return result.stdout;
}
