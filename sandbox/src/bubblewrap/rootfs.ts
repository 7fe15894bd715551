import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type Dockerode from 'dockerode';
import { AUTO_IMAGE, IMAGE_DIR, SANDBOX_IMAGE_REPO, defaultSandboxImage } from '../image/tag.ts';
import { currentOwner, isOwnerAlive } from '../docker/owner.ts';
import type { RootfsSpec } from './args.ts';

/** Marker written last into a finished rootfs directory; a directory without it is incomplete. */
const READY_MARK = '.codecrew-rootfs';
/** Bumped when what a prepared rootfs holds changes, so older ones are prepared again. */
const ROOTFS_FORMAT = 'codecrew-rootfs 2';
/** What Docker writes into a container at run time and an exported image lacks. */
const SANDBOX_HOSTNAME = 'sandbox\n';
const SANDBOX_HOSTS = '127.0.0.1\tlocalhost sandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n';
const LOCK_WAIT_MS = 15 * 60_000;

/** Directory name of an image's rootfs: the recipe tag for codecrew's own image, a sanitized name otherwise. */
export function rootfsName(image: string): string {
  const resolved = image === AUTO_IMAGE ? defaultSandboxImage() : image;
  if (resolved.startsWith(`${SANDBOX_IMAGE_REPO}:`)) return resolved.slice(SANDBOX_IMAGE_REPO.length + 1);
  return resolved.replace(/[^a-zA-Z0-9_.-]/g, '_');
}

/** Where the rootfs of `image` lives: `<dataDir>/rootfs/<name>`. */
export function rootfsDir(dataDir: string, image: string): string {
  return resolve(dataDir, 'rootfs', rootfsName(image));
}

/** True when `dir` holds a complete rootfs. */
export function rootfsReady(dir: string): boolean {
  try {
    return readFileSync(join(dir, READY_MARK), 'utf8').split('\n')[0] === ROOTFS_FORMAT;
  } catch {
    return false;
  }
}

/**
 * Runs `produce(tmp)` to fill a fresh directory beside `dir` and renames it to
 * `dir`; one producer at a time per directory (a lock directory names its
 * owner), the others wait and then find it ready.
 */
async function produceOnce(dir: string, produce: (tmp: string) => Promise<void>): Promise<void> {
  const parent = resolve(dir, '..');
  await mkdir(parent, { recursive: true });
  const lock = `${dir}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    if (rootfsReady(dir)) return;
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'owner'), currentOwner());
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readFile(join(lock, 'owner'), 'utf8').catch(() => '');
      if (owner !== '' && !isOwnerAlive(owner)) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for another process preparing ${dir} (lock ${lock})`);
      await new Promise((done) => setTimeout(done, 500));
    }
  }
  try {
    if (rootfsReady(dir)) return;
    const tmp = await mkdtemp(`${dir}.tmp-`);
    try {
      await produce(tmp);
      // mkdtemp made it 0700; the sandbox user must be able to enter its root.
      await chmod(tmp, 0o755);
      await writeFile(join(tmp, 'etc', 'hostname'), SANDBOX_HOSTNAME);
      await writeFile(join(tmp, 'etc', 'hosts'), SANDBOX_HOSTS);
      await writeFile(join(tmp, READY_MARK), `${ROOTFS_FORMAT}\n${new Date().toISOString()}\n`);
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
    } catch (error) {
      await rm(tmp, { recursive: true, force: true });
      throw error;
    }
  } finally {
    await rm(join(lock, 'owner'), { force: true });
    await rmdir(lock).catch(() => undefined);
  }
}

function run(command: string, args: string[], stdin?: NodeJS.ReadableStream): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    if (stdin !== undefined && child.stdin !== null) {
      stdin.on('error', (error) => child.kill() && fail(error));
      stdin.pipe(child.stdin);
    }
    child.on('error', fail);
    child.on('close', (code) =>
      code === 0 ? done() : fail(new Error(`${command} exited with ${String(code)}: ${stderr.trim()}`)),
    );
  });
}

/**
 * Unpacks the Docker image `image` into `dir` (`docker export` of a created,
 * never started container), so the bubblewrap driver runs the same tools as
 * the Docker driver. Returns at once when `dir` is ready.
 */
export async function exportRootfs(docker: Dockerode, image: string, dir: string): Promise<void> {
  await produceOnce(dir, async (tmp) => {
    const container = await docker.createContainer({
      Image: image,
      Cmd: ['true'],
      NetworkDisabled: true,
      HostConfig: { NetworkMode: 'none' },
      Labels: { 'codecrew.rootfs-export': '1' },
    });
    try {
      const stream = await container.export();
      await run('tar', ['-x', '-f', '-', '-C', tmp, '--numeric-owner'], stream);
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  });
}

/** Options of {@link buildRootfs}. */
export interface BuildRootfsOptions {
  /** Rebuild even when the directory is ready. */
  force?: boolean;
  onProgress?: (line: string) => void;
}

/**
 * Builds the sandbox image's root filesystem straight into `dir` with
 * mmdebstrap and the recipe of sandbox/image (no Docker needed; root, mmdebstrap
 * and Debian's package mirror are). Takes a few minutes.
 */
export async function buildRootfs(dir: string, options: BuildRootfsOptions = {}): Promise<void> {
  if (options.force === true) await rm(dir, { recursive: true, force: true });
  const recipe = await readFile(join(IMAGE_DIR, 'recipe.env'), 'utf8');
  const value = (key: string): string => {
    const match = new RegExp(`^${key}=(.*)$`, 'm').exec(recipe);
    if (match?.[1] === undefined) throw new Error(`${key} is missing from sandbox/image/recipe.env`);
    return match[1].trim();
  };
  const packages = (await readFile(join(IMAGE_DIR, 'packages.txt'), 'utf8'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const env = `CREW_UID=${value('CREW_UID')} CREW_GID=${value('CREW_GID')} CREW_HOME=${value('CREW_HOME')}`;
  const hook = `env ${env} sh '${join(IMAGE_DIR, 'customize.sh')}' "$1"`;
  await produceOnce(dir, async (tmp) => {
    options.onProgress?.(`building the sandbox root filesystem in ${dir} with mmdebstrap (a few minutes)`);
    await run('mmdebstrap', [
      `--variant=${value('VARIANT')}`,
      `--include=${packages.join(',')}`,
      `--customize-hook=${hook}`,
      value('SUITE'),
      tmp,
      value('MIRROR'),
    ]);
  });
}

/** Host paths bound read-only in host mode: the tools, their libraries and the configuration they need. */
const HOST_DIRS = [
  '/usr',
  '/opt',
  '/etc/alternatives',
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/nsswitch.conf',
  '/etc/localtime',
  '/etc/mime.types',
];
const HOST_TOP_LEVEL = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/**
 * A root made of read-only binds of the host's /usr, /bin, /lib* and a few /etc
 * files, with a generated passwd/group naming only root and `crew` (1000).
 * The tools are the host's, not the image's.
 */
export async function hostRootfs(stateDir: string, home: string): Promise<RootfsSpec> {
  const binds: string[] = [];
  const symlinks: Array<{ target: string; path: string }> = [];
  for (const path of HOST_DIRS) if (existsSync(path)) binds.push(path);
  for (const path of HOST_TOP_LEVEL) {
    const info = (() => {
      try {
        return lstatSync(path);
      } catch {
        return undefined;
      }
    })();
    if (info === undefined) continue;
    if (info.isSymbolicLink()) symlinks.push({ target: readlinkSync(path), path });
    else if (info.isDirectory()) binds.push(path);
  }
  const etc = join(stateDir, 'etc');
  await mkdir(etc, { recursive: true });
  const passwd = join(etc, 'passwd');
  const group = join(etc, 'group');
  await writeFile(
    passwd,
    `root:x:0:0:root:/root:/bin/bash\ncrew:x:1000:1000:crew:${home}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
  );
  await writeFile(group, 'root:x:0:\ncrew:x:1000:\nnogroup:x:65534:\n');
  await writeFile(join(etc, 'hostname'), SANDBOX_HOSTNAME);
  await writeFile(join(etc, 'hosts'), SANDBOX_HOSTS);
  return {
    kind: 'host',
    binds,
    symlinks,
    files: [
      { source: passwd, path: '/etc/passwd' },
      { source: group, path: '/etc/group' },
      { source: join(etc, 'hostname'), path: '/etc/hostname' },
      { source: join(etc, 'hosts'), path: '/etc/hosts' },
    ],
  };
}
