import { CodecrewError } from '@codecrew/core';
import type { ExecOptions, ExecResult, Sandbox } from '../types.ts';
import { removeCgroup } from './cgroup.ts';
import type { CgroupPaths } from './cgroup.ts';
import { removeScratch } from './scratch.ts';
import type { Scratch } from './scratch.ts';
import { runBwrap } from './exec.ts';
import type { LaunchContext } from './exec.ts';
import type { SandboxState } from './state.ts';

/**
 * One job's bubblewrap sandbox. There is no long-lived process: each `exec`
 * starts a fresh `bwrap`; the sandbox is the workspace, the limits and the
 * cgroup they share. See {@link BubblewrapSandboxProvider}.
 */
export class BubblewrapSandbox implements Sandbox {
  private destroyed = false;
  private readonly running = new Set<() => void>();

  constructor(
    readonly id: string,
    readonly workspaceDir: string,
    private readonly context: LaunchContext,
    private readonly cgroup: CgroupPaths,
    private readonly state: SandboxState,
    private readonly scratch: Scratch | undefined,
  ) {}

  /** Runs `command` with `bash -c` as uid 1000 in the workspace, under `timeout -s KILL` and a host timer. */
  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (this.destroyed) {
      return Promise.reject(new CodecrewError('SANDBOX_FAILED', `sandbox ${this.id} was destroyed; create a new one`));
    }
    return runBwrap(command, options, this.context, (kill) => {
      this.running.add(kill);
      return () => this.running.delete(kill);
    });
  }

  /** Kills every command still running, removes the cgroup, /tmp and $HOME and the state file; a second call does nothing. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const kill of this.running) kill();
    this.running.clear();
    await removeCgroup(this.cgroup);
    if (this.scratch !== undefined) await removeScratch(this.scratch);
    await this.state.remove(this.id);
  }
}
