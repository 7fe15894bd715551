import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const V1_ROOT = '/sys/fs/cgroup';
const CONTROLLERS = ['pids', 'memory', 'cpu'] as const;
const CFS_PERIOD_US = 100_000;

/** The limits a sandbox's cgroup enforces. */
export interface CgroupLimits {
  pids: number;
  memoryBytes: number;
  cpus: number;
}

/** Paths of one sandbox's cgroup v1 directories, one per controller. */
export type CgroupPaths = Partial<Record<(typeof CONTROLLERS)[number], string>>;

/** The cgroup v1 path of this process for `controller`, from /proc/self/cgroup. */
function ownPath(controller: string): string | undefined {
  const text = readFileSync('/proc/self/cgroup', 'utf8');
  for (const line of text.split('\n')) {
    const [, names, path] = line.split(':');
    if (names !== undefined && path !== undefined && names.split(',').includes(controller)) return path;
  }
  return undefined;
}

/**
 * Whether per-sandbox cgroup v1 directories can be made here: the pids,
 * memory and cpu hierarchies are mounted and this process may create
 * subdirectories in its own cgroups (root, or a delegated subtree).
 */
export function cgroupV1Available(): boolean {
  return CONTROLLERS.every((controller) => {
    const own = ownPath(controller);
    return own !== undefined && existsSync(join(V1_ROOT, controller, own, 'cgroup.procs'));
  });
}

/**
 * Creates `<own cgroup>/codecrew/<id>` in the pids, memory and cpu
 * hierarchies and writes the limits; memory+swap is capped at the same value
 * when the kernel accounts swap. Throws when any step is refused.
 */
export async function createCgroup(id: string, limits: CgroupLimits): Promise<CgroupPaths> {
  const paths: CgroupPaths = {};
  try {
    for (const controller of CONTROLLERS) {
      const own = ownPath(controller);
      if (own === undefined) throw new Error(`the ${controller} cgroup controller is not mounted`);
      const dir = join(V1_ROOT, controller, own, 'codecrew', id);
      await mkdir(dir, { recursive: true });
      paths[controller] = dir;
    }
    const { pids, memory, cpu } = paths as Required<CgroupPaths>;
    await writeFile(join(pids, 'pids.max'), String(limits.pids));
    await writeFile(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    if (existsSync(join(memory, 'memory.memsw.limit_in_bytes'))) {
      await writeFile(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
    }
    await writeFile(join(cpu, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
    await writeFile(join(cpu, 'cpu.cfs_quota_us'), String(Math.max(1000, Math.round(limits.cpus * CFS_PERIOD_US))));
    return paths;
  } catch (error) {
    await removeCgroup(paths);
    throw error;
  }
}

/** The `cgroup.procs` files a process writes its pid to so that it and its children are limited. */
export function procsFiles(paths: CgroupPaths): string[] {
  return Object.values(paths).map((dir) => join(dir, 'cgroup.procs'));
}

/** The memory cgroup's count of OOM kills so far (0 when unknown). */
export async function oomKills(paths: CgroupPaths): Promise<number> {
  if (paths.memory === undefined) return 0;
  const text = await readFile(join(paths.memory, 'memory.oom_control'), 'utf8').catch(() => '');
  const match = /^oom_kill (\d+)$/m.exec(text);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}

/** SIGKILLs every process in the sandbox's pids cgroup. */
export async function killCgroup(paths: CgroupPaths): Promise<void> {
  if (paths.pids === undefined) return;
  for (let round = 0; round < 20; round++) {
    const text = await readFile(join(paths.pids, 'cgroup.procs'), 'utf8').catch(() => '');
    const pids = text
      .split('\n')
      .filter((line) => line !== '')
      .map(Number);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** Kills what is left in the cgroup and removes its directories (ignoring ones already gone). */
export async function removeCgroup(paths: CgroupPaths): Promise<void> {
  await killCgroup(paths);
  for (const dir of Object.values(paths)) {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await rmdir(dir);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        // EBUSY: the last processes are still exiting.
        await new Promise((done) => setTimeout(done, 50));
      }
    }
  }
}
