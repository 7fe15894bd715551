import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository name of the sandbox image; the tag is derived from the recipe. */
export const SANDBOX_IMAGE_REPO = 'codecrew/sandbox';

/** The config value that stands for {@link defaultSandboxImage}. */
export const AUTO_IMAGE = 'auto';

/** Folder of the image recipe (sandbox/image). */
export const IMAGE_DIR = fileURLToPath(new URL('../../image/', import.meta.url));

/** The files whose content defines the image, in the order build.sh hashes them. */
export const RECIPE_FILES = ['recipe.env', 'packages.txt', 'customize.sh', 'build.sh'] as const;

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * The image tag: the first 12 hex digits of `sha256sum <recipe files> | sha256sum`,
 * exactly as `sandbox/image/build.sh --print-tag` computes it.
 */
export function sandboxImageTag(dir: string = IMAGE_DIR): string {
  const listing = RECIPE_FILES.map((name) => `${sha256(readFileSync(join(dir, name)))}  ${name}\n`).join('');
  return sha256(listing).slice(0, 12);
}

/** The image built from this checkout's recipe: `codecrew/sandbox:<tag>`. */
export function defaultSandboxImage(): string {
  return `${SANDBOX_IMAGE_REPO}:${sandboxImageTag()}`;
}

/** Resolves a configured image name: `auto` means {@link defaultSandboxImage}; anything else is kept. */
export function resolveSandboxImage(image: string): string {
  return image === AUTO_IMAGE ? defaultSandboxImage() : image;
}
