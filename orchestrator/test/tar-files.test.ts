import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTarFiles } from '../src/git/index.ts';

const ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const root = mkdtempSync(join(tmpdir(), 'codecrew-tar-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function git(...args: string[]): Buffer {
  return execFileSync('git', args, { cwd: root, env: ENV });
}

describe('readTarFiles', () => {
  it('lists and reads what git archive wrote, long names and links included', () => {
    git('init', '--quiet');
    // Past ustar's 100-byte name field, with and without a usable prefix split, and past 255 bytes.
    const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}/file-with-a-long-name.txt`;
    const flat = `${'f'.repeat(120)}.txt`;
    const veryDeep = `${'g'.repeat(100)}/${'h'.repeat(100)}/${'i'.repeat(100)}.md`;
    const files: Record<string, Buffer> = {
      'AGENTS.md': Buffer.from('# rules\n'),
      'src/app.js': Buffer.from('export const x = 1;\n'),
      'empty.txt': Buffer.alloc(0),
      'bin/blob.dat': Buffer.from(Array.from({ length: 1500 }, (_, i) => i % 256)),
      'unicodé/naïve.txt': Buffer.from('ü\n'),
      [deep]: Buffer.from('deep\n'),
      [flat]: Buffer.from('flat\n'),
      [veryDeep]: Buffer.from('very deep\n'),
    };
    for (const [path, data] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), data);
    }
    symlinkSync('src/app.js', join(root, 'link.js'));
    git('-c', 'core.quotepath=off', 'add', '-A');
    git('commit', '--quiet', '-m', 'files');

    const listing = readTarFiles(git('archive', '--format=tar', 'HEAD'));
    const expected = git('-c', 'core.quotepath=off', 'ls-tree', '-r', '-z', '--name-only', 'HEAD').toString('utf8').split('\0').filter(Boolean);
    expect([...listing.paths].sort()).toEqual([...expected].sort());
    for (const [path, data] of Object.entries(files)) expect(listing.read(path)).toEqual(data);
    expect(listing.read('link.js')).toBeUndefined();
    expect(listing.read('no/such/file')).toBeUndefined();
  });

  it('refuses an archive cut short', () => {
    const archive = git('archive', '--format=tar', 'HEAD');
    expect(() => readTarFiles(archive.subarray(0, 512 * 3 + 100))).toThrow(/damaged/);
  });
});
