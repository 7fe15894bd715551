import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTree } from '../src/remove-tree.ts';

describe('removeTree', () => {
  let root = '';
  afterEach(async () => {
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  it('removes a nested tree with read-only files and leaves what its links point to', async () => {
    root = await mkdtemp(join(tmpdir(), 'codecrew-remove-tree-'));
    const outside = join(root, 'outside.txt');
    await writeFile(outside, 'kept');
    const tree = join(root, 'tree');
    await mkdir(join(tree, 'a', 'b', '.git'), { recursive: true });
    await writeFile(join(tree, 'a', 'b', 'file.txt'), 'x');
    await writeFile(join(tree, 'a', 'b', '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await chmod(join(tree, 'a', 'b', 'file.txt'), 0o444);
    await symlink(outside, join(tree, 'a', 'link'));
    await symlink(root, join(tree, 'dir-link'));

    await removeTree(tree);

    await expect(stat(tree)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(outside, 'utf8')).toBe('kept');
  });

  it('does nothing for a path that does not exist', async () => {
    root = await mkdtemp(join(tmpdir(), 'codecrew-remove-tree-'));
    await expect(removeTree(join(root, 'missing'))).resolves.toBeUndefined();
  });
});
