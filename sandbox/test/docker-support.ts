import { chownSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import type { SandboxLimits } from '@codecrew/core';
import { buildSandboxImage, defaultSandboxImage } from '@codecrew/sandbox';
import { tempDir } from './helpers.ts';

/** Small limits that keep tests quick on two cores. */
export const TEST_LIMITS: SandboxLimits = {
  image: 'auto',
  cpus: 1,
  memoryBytes: 256 * 1024 * 1024,
  pids: 256,
  tmpBytes: 64 * 1024 * 1024,
  commandTimeoutMs: 30_000,
  maxOutputBytes: 64 * 1024,
};

/**
 * Fails with what to do when no Docker daemon answers, and builds the sandbox
 * image when it is missing (a few minutes, once per machine).
 */
export async function requireDockerAndImage(): Promise<Dockerode> {
  const docker = new Dockerode();
  try {
    await docker.ping();
  } catch (error) {
    throw new Error(
      `These tests need a running Docker daemon (docker.io). Start one with \`npm run setup\`. (${(error as Error).message})`,
    );
  }
  const image = defaultSandboxImage();
  const present = await docker
    .getImage(image)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (!present) await buildSandboxImage({ onProgress: (line) => console.log(line) });
  return docker;
}

/** An empty workspace directory owned by the sandbox user. */
export function workspaceDir(name: string): { dir: string; cleanup: () => void } {
  const parent = tempDir(name);
  const dir = join(parent, 'ws');
  mkdirSync(dir);
  chownSync(dir, 1000, 1000);
  return { dir, cleanup: () => rmSync(parent, { recursive: true, force: true }) };
}

/** Containers carrying a test-owned task label, running or not. */
export async function containersOfTask(docker: Dockerode, task: string): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`codecrew.task=${task}`] } });
  return list.map((c) => c.Id);
}
