import { execFileSync } from 'node:child_process';
import { cpSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  IMAGE_DIR,
  SANDBOX_IMAGE_REPO,
  defaultSandboxImage,
  resolveSandboxImage,
  sandboxImageTag,
} from '@codecrew/sandbox';
import { tempDir } from './helpers.ts';

const shellTag = (dir: string): string =>
  execFileSync('bash', [join(dir, 'build.sh'), '--print-tag'], { encoding: 'utf8' }).trim();

describe('sandbox image tag', () => {
  it('is 12 hex digits, the same on every call and the same as build.sh computes', () => {
    const tag = sandboxImageTag();
    expect(tag).toMatch(/^[0-9a-f]{12}$/);
    expect(sandboxImageTag()).toEqual(tag);
    expect(shellTag(IMAGE_DIR)).toEqual(tag);
  });

  it('changes when a recipe file changes, in TypeScript and in the shell alike', () => {
    const copy = tempDir('tag-recipe');
    cpSync(IMAGE_DIR, copy, { recursive: true });
    const before = sandboxImageTag(copy);
    expect(before).toEqual(sandboxImageTag());
    appendFileSync(join(copy, 'packages.txt'), 'jq\n');
    const after = sandboxImageTag(copy);
    expect(after).not.toEqual(before);
    expect(shellTag(copy)).toEqual(after);
  });

  it('names the default image and resolves auto to it', () => {
    expect(defaultSandboxImage()).toEqual(`${SANDBOX_IMAGE_REPO}:${sandboxImageTag()}`);
    expect(resolveSandboxImage('auto')).toEqual(defaultSandboxImage());
    expect(resolveSandboxImage('example/custom:1')).toEqual('example/custom:1');
  });
});
