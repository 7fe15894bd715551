import type Dockerode from 'dockerode';
import type { ExecOptions, ExecResult, Sandbox } from '../types.ts';
import { dockerStatus, sandboxFailed } from './errors.ts';
import { quickExec, runExec } from './exec.ts';
import type { ExecDefaults } from './exec.ts';

const OOM_COUNTERS = 'cat /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null || cat /sys/fs/cgroup/memory.events 2>/dev/null';

/** One job's Docker container; see {@link DockerSandboxProvider} for how it is locked down. */
export class DockerSandbox implements Sandbox {
  readonly id: string;
  private destroyed = false;
  private oomKillsSeen = 0;

  constructor(
    private readonly docker: Dockerode,
    private readonly container: Dockerode.Container,
    readonly workspaceDir: string,
    private readonly defaults: ExecDefaults,
  ) {
    this.id = container.id;
  }

  /** Runs `command` with `bash -c` as uid 1000 in the workspace, under `timeout -s KILL` and a host timer. */
  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (this.destroyed) {
      return Promise.reject(sandboxFailed('exec', new Error(`sandbox ${this.id.slice(0, 12)} was destroyed`)));
    }
    return runExec(this.docker, this.container, command, options, this.defaults, () => this.newOomKill());
  }

  /** Force-removes the container and its anonymous volumes; a second call does nothing. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    try {
      await this.container.remove({ force: true, v: true });
    } catch (error) {
      const status = dockerStatus(error);
      // 404: already gone; 409: removal already in progress.
      if (status !== 404 && status !== 409) throw sandboxFailed(`could not remove sandbox ${this.id.slice(0, 12)}`, error);
    }
    this.destroyed = true;
  }

  /**
   * Whether the memory cgroup killed a process since the last check: the kernel's
   * oom_kill counter grew. Falls back to Docker's sticky OOMKilled flag.
   */
  private async newOomKill(): Promise<boolean> {
    try {
      const { stdout } = await quickExec(this.docker, this.container, ['sh', '-c', OOM_COUNTERS]);
      const match = /^oom_kill (\d+)$/m.exec(stdout);
      if (match?.[1] !== undefined) {
        const count = Number(match[1]);
        const grew = count > this.oomKillsSeen;
        this.oomKillsSeen = count;
        return grew;
      }
    } catch {
      // The container itself may be gone; ask Docker below.
    }
    const info = await this.container.inspect().catch(() => undefined);
    return info?.State.OOMKilled === true;
  }
}
