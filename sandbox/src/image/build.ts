import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CodecrewError } from '@codecrew/core';
import { IMAGE_DIR, defaultSandboxImage } from './tag.ts';

/** Options of {@link buildSandboxImage}. */
export interface BuildImageOptions {
  /** Rebuild even if the tagged image exists. */
  force?: boolean;
  /** Receives each line the build prints (mmdebstrap and docker import progress). */
  onProgress?: (line: string) => void;
}

/** The script that builds the image; `npm run setup` runs the same one. */
export const BUILD_SCRIPT = join(IMAGE_DIR, 'build.sh');

/**
 * Builds `codecrew/sandbox:<tag>` offline with mmdebstrap + docker import (a few
 * minutes; needs root, mmdebstrap and a Docker daemon). Returns the image name;
 * returns at once when the image exists and `force` is not set.
 */
export async function buildSandboxImage(options: BuildImageOptions = {}): Promise<string> {
  const image = defaultSandboxImage();
  const args = [BUILD_SCRIPT, ...(options.force === true ? ['--force'] : [])];
  const lastLines: string[] = [];
  const onLine = (line: string): void => {
    if (line.length === 0) return;
    lastLines.push(line);
    if (lastLines.length > 20) lastLines.shift();
    options.onProgress?.(line);
  };
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('bash', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        lines.forEach(onLine);
      });
      stream.on('end', () => onLine(pending));
    }
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    throw new CodecrewError(
      'SANDBOX_FAILED',
      `building the sandbox image ${image} failed (exit ${String(code)}); run \`npm run setup\` as root and read its output:\n${lastLines.join('\n')}`,
      { details: { image, exitCode: code } },
    );
  }
  return image;
}
