import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractArchive, ExtractionUnavailable, tarEntries } from '../src/index.ts';

const ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const root = mkdtempSync(join(tmpdir(), 'codecrew-extract-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;

/** A tar archive of one-member-per-entry, written by hand: what git archive would never make. */
function craft(members: Array<{ path: string; type?: string; data?: string; link?: string }>): Buffer {
  const blocks: Buffer[] = [];
  for (const member of members) {
    const header = Buffer.alloc(512);
    const data = Buffer.from(member.data ?? '');
    header.write(member.path, 0, 100);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write(member.type ?? '0', 156);
    header.write(member.link ?? '', 157, 100);
    header.write('ustar\0' + '00', 257);
    header.write('        ', 148);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function gitArchive(files: Record<string, string>, links: Record<string, string>): Buffer {
  const repo = join(root, 'repo');
  mkdirSync(repo);
  execFileSync('git', ['init', '--quiet'], { cwd: repo });
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(join(repo, path, '..'), { recursive: true });
    writeFileSync(join(repo, path), data, { mode: path.endsWith('.sh') ? 0o755 : 0o644 });
  }
  for (const [path, target] of Object.entries(links)) symlinkSync(target, join(repo, path));
  execFileSync('git', ['add', '-A'], { cwd: repo });
  execFileSync('git', ['commit', '--quiet', '-m', 'tree'], { cwd: repo, env: ENV });
  return execFileSync('git', ['archive', '--format=tar', 'HEAD'], { cwd: repo, maxBuffer: 1 << 30 });
}

let n = 0;
const emptyDir = () => {
  const dir = join(root, `out-${n++}`);
  mkdirSync(dir);
  return dir;
};

describe('extractArchive', () => {
  it('writes what git archive holds: contents, modes, links, long paths, owner', async () => {
    const long = `${'a'.repeat(90)}/${'b'.repeat(90)}/${'c'.repeat(90)}.txt`;
    const files = { 'README.md': '# hi\n', 'src/app.js': 'export {};\n', 'bin/run.sh': '#!/bin/sh\necho ok\n', [long]: 'long\n', 'empty.txt': '' };
    const archive = gitArchive(files, { 'link.js': 'src/app.js', 'outside': '/etc/passwd' });
    const dir = emptyDir();
    await extractArchive(archive, dir, isRoot ? { uid: 1000, gid: 1000 } : undefined);
    for (const [path, data] of Object.entries(files)) expect(readFileSync(join(dir, path), 'utf8')).toBe(data);
    expect(statSync(join(dir, 'bin/run.sh')).mode & 0o111).not.toBe(0);
    expect(statSync(join(dir, 'README.md')).mode & 0o111).toBe(0);
    expect(readlinkSync(join(dir, 'link.js'))).toBe('src/app.js');
    expect(readlinkSync(join(dir, 'outside'))).toBe('/etc/passwd');
    // The archive's times are kept: every member has the commit's time.
    const times = new Set([...tarEntries(archive)].map((entry) => entry.mtime));
    expect(times.size).toBe(1);
    expect(Math.floor(statSync(join(dir, 'src/app.js')).mtimeMs / 1000)).toBe([...times][0]);
    if (isRoot) for (const path of ['', 'src', 'src/app.js', 'link.js']) expect(lstatSync(join(dir, path))).toMatchObject({ uid: 1000, gid: 1000 });
  });

  it.each([
    ['an absolute path', [{ path: '/tmp/codecrew-owned', data: 'x' }]],
    ['a .. path', [{ path: '../owned', data: 'x' }]],
    ['a path through a link of the archive', [{ path: 'up', type: '2', link: '..' }, { path: 'up/owned', data: 'x' }]],
    ['a member over a link of the archive', [{ path: 'passwd', type: '2', link: '/etc/passwd' }, { path: 'passwd', data: 'x' }]],
    ['a hard link', [{ path: 'a', data: 'x' }, { path: 'b', type: '1', link: 'a' }]],
    ['a device', [{ path: 'dev', type: '3' }]],
  ])('refuses %s with REPO_INVALID and writes nothing outside', async (_, members) => {
    const dir = emptyDir();
    await expect(extractArchive(craft(members), dir)).rejects.toMatchObject({ code: 'REPO_INVALID' });
    expect(() => lstatSync(join(root, 'owned'))).toThrow();
    expect(() => lstatSync('/tmp/codecrew-owned')).toThrow();
    expect(readFileSync('/etc/passwd', 'utf8')).not.toBe('x');
  });

  it('refuses an archive cut short', async () => {
    const archive = craft([{ path: 'a.txt', data: 'a'.repeat(2000) }]);
    await expect(extractArchive(archive.subarray(0, 1024), emptyDir())).rejects.toMatchObject({ code: 'REPO_INVALID' });
  });

  it('says so when helper threads are turned off, for the caller to extract another way', async () => {
    process.env.CODECREW_PROCESS_THREADS = '0';
    try {
      await expect(extractArchive(craft([{ path: 'a', data: 'x' }]), emptyDir())).rejects.toBeInstanceOf(ExtractionUnavailable);
    } finally {
      delete process.env.CODECREW_PROCESS_THREADS;
    }
  });
});
