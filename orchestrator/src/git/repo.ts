import { CodecrewError } from '@codecrew/core';
import { ProcessStartError, runProcess } from '@codecrew/sandbox/process';

/** Result of one git invocation. */
export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Options for {@link GitRepo.run}. */
export interface GitRunOptions {
  /** Written to git's stdin, which is then closed. */
  input?: string | Buffer;
  /** Variables added to git's environment. */
  env?: NodeJS.ProcessEnv;
  /** Exit codes other than 0 that are answers, not failures (e.g. 1 from `merge-tree` on conflicts). */
  allowExitCodes?: number[];
}

/** The identity codecrew commits as, so that no global git config is needed. */
export const DEFAULT_IDENTITY = { name: 'codecrew', email: 'codecrew@localhost' } as const;

const MAX_BUFFER = 1024 * 1024 * 1024;

/** Environment for commit-creating commands with the given author and committer. */
export function identityEnv(author: { name: string; email: string } = DEFAULT_IDENTITY): NodeJS.ProcessEnv {
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
  };
}

/**
 * A thin async wrapper over one repository: runs git (no shell)
 * and turns failures into `CodecrewError('GIT_FAILED')` carrying git's stderr.
 */
export class GitRepo {
  readonly dir: string;
  readonly gitDir: string | undefined;

  constructor(dir: string, opts: { gitDir?: string } = {}) {
    this.dir = dir;
    this.gitDir = opts.gitDir;
  }

  /** Runs `git <args>` in this repository and returns its text output. */
  async run(args: string[], opts: GitRunOptions = {}): Promise<GitResult> {
    const out = await this.runBuffer(args, opts);
    return { stdout: out.stdout.toString('utf8'), stderr: out.stderr, code: out.code };
  }

  /** Like {@link run} but keeps stdout as bytes (archives, binary blobs). */
  runBuffer(args: string[], opts: GitRunOptions = {}): Promise<{ stdout: Buffer; stderr: string; code: number }> {
    const fullArgs = this.gitDir === undefined ? args : [`--git-dir=${this.gitDir}`, ...args];
    const extraEnv: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
    for (const [name, value] of Object.entries(opts.env ?? {})) if (value !== undefined) extraEnv[name] = value;
    return runProcess('git', fullArgs, {
      cwd: this.dir,
      extraEnv,
      maxBuffer: MAX_BUFFER,
      ...(opts.input === undefined ? {} : { input: opts.input }),
    }).then(
      ({ code: exit, stdout, stderr: stderrBuf }) => {
        const stderr = stderrBuf.toString('utf8');
        const code = exit ?? -1;
        if (code === 0 || opts.allowExitCodes?.includes(code) === true) return { stdout, stderr, code };
        throw gitFailed(fullArgs, this.dir, code, stderr, undefined);
      },
      (error: unknown) => {
        if (!(error instanceof ProcessStartError)) throw error;
        if (error.code === 'ENOENT') {
          throw new CodecrewError('GIT_FAILED', 'git was not found on PATH; install git (2.38 or newer) and retry', {
            cause: error,
          });
        }
        throw gitFailed(fullArgs, this.dir, -1, (error as Error).message, error);
      },
    );
  }

  /** Resolves `ref` to a full object id; REPO_INVALID when git does not know it. */
  async revParse(ref: string): Promise<string> {
    const res = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', ref], {
      allowExitCodes: [1, 128],
    });
    const sha = res.stdout.trim();
    if (res.code !== 0 || sha === '') {
      throw new CodecrewError(
        'REPO_INVALID',
        `unknown revision '${ref}' in ${this.gitDir ?? this.dir}; use an existing branch, tag or commit (see \`git branch -a\`)`,
        { details: { ref, dir: this.dir } },
      );
    }
    return sha;
  }
}

function gitFailed(args: string[], cwd: string, code: number, stderr: string, cause: unknown): CodecrewError {
  const reason = stderr.trim() === '' ? `exit code ${code}` : stderr.trim();
  return new CodecrewError('GIT_FAILED', `git ${args.join(' ')} failed in ${cwd}: ${reason}`, {
    details: { args, cwd, exitCode: code, stderr },
    cause,
  });
}
