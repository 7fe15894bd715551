import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tarEntries } from '@codecrew/core';
import { overlayTar, type ChainChange } from '../src/git/index.ts';

const ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const root = mkdtempSync(join(tmpdir(), 'codecrew-overlay-tar-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env: ENV, maxBuffer: 1 << 30 });
const write = (path: string, data: string, mode = 0o644) => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), data, { mode });
};

/** What an archive holds, comparable: path → kind, mode, bytes or link target (directories without their trailing slash). */
function contents(tar: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of tarEntries(tar)) {
    const path = entry.path.replace(/\/$/, '');
    out.set(path, `${entry.type} ${entry.mode.toString(8)} ${entry.type === '2' ? `-> ${entry.linkname}` : entry.data.toString('base64')}`);
  }
  return out;
}

describe('overlayTar', () => {
  it('gives what git archive gives for the tree with the changes made', () => {
    git('init', '--quiet');
    write('README.md', '# base\n');
    write('src/keep.js', 'keep\n');
    write('src/change.js', 'old\n');
    write('gone/only.txt', 'the only file of gone/\n');
    write('tools/run.sh', '#!/bin/sh\n', 0o755);
    write('dir-to-file/inner.txt', 'inner\n');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'base');
    const baseTar = git('archive', '--format=tar', 'HEAD');

    const long = `${'n'.repeat(80)}/${'m'.repeat(80)}/new-file-with-a-long-name.txt`;
    const longTarget = `${'t'.repeat(120)}.js`;
    write('src/change.js', 'new\n');
    write('src/deep/er/new.js', 'new file\n');
    write(long, 'long\n');
    write('tools/new.sh', '#!/bin/sh\necho new\n', 0o755);
    unlinkSync(join(root, 'gone/only.txt'));
    rmSync(join(root, 'dir-to-file'), { recursive: true });
    write('dir-to-file', 'now a file\n');
    symlinkSync('src/keep.js', join(root, 'link.js'));
    symlinkSync(longTarget, join(root, 'long-link.js'));
    git('add', '-A');
    git('commit', '--quiet', '-m', 'changes');
    const expected = git('archive', '--format=tar', 'HEAD');

    const changes: ChainChange[] = git('diff-tree', '-r', '-z', '--no-renames', 'HEAD~1', 'HEAD')
      .toString('utf8')
      .split('\0')
      .reduce<ChainChange[]>((list, part, index, parts) => {
        if (index % 2 === 1 || part === '') return list;
        const [, , mode = '', , blob = '', status = ''] = part.split(/[: ]/);
        const path = parts[index + 1] ?? '';
        const deleted = status.startsWith('D');
        list.push({ path, mode: deleted ? null : mode, blob: deleted ? null : blob, data: deleted ? null : git('cat-file', 'blob', blob) });
        return list;
      }, []);
    const built = overlayTar(baseTar, changes);
    expect(built).not.toBeNull();
    expect(contents(built as Buffer)).toEqual(contents(expected));
  });

  it('declines changes it cannot write: no bytes, or a submodule', () => {
    const base = git('archive', '--format=tar', 'HEAD');
    expect(overlayTar(base, [{ path: 'a', mode: '100644', blob: 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391' }])).toBeNull();
    expect(overlayTar(base, [{ path: 'sub', mode: '160000', blob: 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391', data: Buffer.alloc(0) }])).toBeNull();
  });
});
