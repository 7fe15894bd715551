import { removeTree } from '../remove-tree.ts';
import type Dockerode from 'dockerode';
import type { ExecOptions, ExecResult, Sandbox } from '../types.ts';
import { dockerStatus, sandboxFailed } from './errors.ts';
import { quickExec, runExec } from './exec.ts';
import type { ExecDefaults } from './exec.ts';
import type { RunnerClient } from './runner-client.ts';
import { runnerExec } from './runner-exec.ts';

const OOM_COUNTERS =
  'cat /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null || cat /sys/fs/cgroup/memory.events 2>/dev/null';

/** What a sandbox has beyond its container. */
export interface DockerSandboxExtras {
  /** The in-container command runner, when the container runs one. */
  runner?: RunnerClient;
  /** Host directory of this sandbox's own mounts (runner socket), removed with it. */
  stateDir?: string;
}

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
    private readonly extras: DockerSandboxExtras = {},
  ) {
    this.id = container.id;
  }

  /** Whether commands still go through the in-container runner (false: one `docker exec` each). */
  get usesRunner(): boolean {
    return this.extras.runner?.usable === true;
  }

  /**
   * Runs `command` with `bash -c` as uid 1000 in the workspace, under `timeout -s KILL` and a host timer:
   * through the container's runner when it has one, else with `docker exec`.
   */
  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (this.destroyed) throw sandboxFailed('exec', new Error(`sandbox ${this.id.slice(0, 12)} was destroyed`));
    const runner = this.extras.runner;
    if (runner?.usable === true) {
      const result = await runnerExec(runner, command, options, this.defaults, (counter) => this.newOomKill(counter));
      if (result !== null) return result;
    }
    return runExec(this.docker, this.container, command, options, this.defaults, () => this.newOomKill(null));
  }

  /** Force-removes the container and its anonymous volumes; a second call does nothing. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    try {
      await this.container.remove({ force: true, v: true });
    } catch (error) {
      const status = dockerStatus(error);
      // 404: already gone; 409: removal already in progress.
      if (status !== 404 && status !== 409)
        throw sandboxFailed(`could not remove sandbox ${this.id.slice(0, 12)}`, error);
    }
    this.destroyed = true;
    if (this.extras.stateDir !== undefined) await removeTree(this.extras.stateDir);
  }

  /**
   * Whether the memory cgroup killed a process since the last check: the kernel's
   * oom_kill counter grew. Falls back to Docker's sticky OOMKilled flag.
   */
  private async newOomKill(counter: number | null): Promise<boolean> {
    if (counter !== null) return this.counterGrew(counter);
    try {
      const { stdout } = await quickExec(this.docker, this.container, ['sh', '-c', OOM_COUNTERS]);
      const match = /^oom_kill (\d+)$/m.exec(stdout);
      if (match?.[1] !== undefined) {
        return this.counterGrew(Number(match[1]));
      }
    } catch {
      // The container itself may be gone; ask Docker below.
    }
    const info = await this.container.inspect().catch(() => undefined);
    return info?.State.OOMKilled === true;
  }

  private counterGrew(count: number): boolean {
    const grew = count > this.oomKillsSeen;
    this.oomKillsSeen = count;
    return grew;
  }
}
