import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractTar } from '../src/workspace/tree.ts';
import { tempDir } from './helpers.ts';

const root = tempDir('extract-tar');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;

let n = 0;
/** A new directory under the test's root. */
function fresh(name: string): string {
  const dir = join(root, `${name}-${n++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** What GNU tar writes for `args` (run in `cwd`). */
const tar = (cwd: string, ...args: string[]): Buffer =>
  execFileSync('tar', ['-c', '-f', '-', ...args], { cwd, maxBuffer: 1 << 26 });

describe('extractTar', () => {
  it('extracts an archive made with `tar -C dir .`, whose members are ./ and ./path', async () => {
    const source = fresh('source');
    const long = `${'a'.repeat(80)}/${'b'.repeat(80)}.txt`;
    mkdirSync(join(source, 'src'));
    mkdirSync(join(source, 'a'.repeat(80)));
    writeFileSync(join(source, 'README.md'), '# hi\n');
    writeFileSync(join(source, 'src/app.js'), 'export {};\n');
    writeFileSync(join(source, long), 'long\n');
    symlinkSync('src/app.js', join(source, 'link.js'));
    const archive = tar(source, '.');
    expect(execFileSync('tar', ['-t', '-f', '-'], { input: archive }).toString().split('\n')).toContain('./');

    const dir = fresh('out');
    await extractTar(archive, dir, { uid: 1000, gid: 1000 });
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'a'.repeat(80), 'link.js', 'src']);
    expect(readFileSync(join(dir, 'src/app.js'), 'utf8')).toEqual('export {};\n');
    expect(readFileSync(join(dir, long), 'utf8')).toEqual('long\n');
    expect(readlinkSync(join(dir, 'link.js'))).toEqual('src/app.js');
    if (isRoot)
      for (const path of ['', 'src', 'src/app.js', 'link.js'])
        expect(lstatSync(join(dir, path))).toMatchObject({ uid: 1000, gid: 1000 });
  });

  it('writes what GNU tar writes from a git archive: modes, links, long and non-ASCII names', async () => {
    const repo = fresh('repo');
    const sh = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe' });
    sh('init', '-q');
    const deep = `${'d'.repeat(120)}/${'e'.repeat(120)}`;
    mkdirSync(join(repo, deep), { recursive: true });
    mkdirSync(join(repo, 'bin'));
    writeFileSync(join(repo, deep, 'ünïcode name.txt'), 'deep\n');
    writeFileSync(join(repo, 'bin/run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    writeFileSync(join(repo, 'empty'), '');
    writeFileSync(join(repo, 'big.bin'), Buffer.alloc(70_000, 7));
    symlinkSync('bin/run.sh', join(repo, 'run'));
    symlinkSync('../nowhere', join(repo, 'dangling'));
    sh('add', '-A');
    sh('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'x');
    const archive = execFileSync('git', ['-C', repo, '-c', 'tar.umask=0002', 'archive', '--format=tar', 'HEAD'], {
      maxBuffer: 1 << 26,
    });

    const byTar = fresh('by-tar');
    execFileSync(
      'tar',
      ['-x', '-f', '-', '--no-same-owner', '--no-same-permissions', '--no-overwrite-dir', '-C', byTar],
      {
        input: archive,
      },
    );
    const inProcess = fresh('in-process');
    await extractTar(archive, inProcess, { uid: 1000, gid: 1000 });

    const tree = (dir: string, rel = ''): string[] =>
      readdirSync(join(dir, rel))
        .sort()
        .flatMap((name) => {
          const path = rel === '' ? name : `${rel}/${name}`;
          const info = lstatSync(join(dir, path));
          const mode = (info.mode & 0o7777).toString(8);
          if (info.isSymbolicLink()) return [`${path} -> ${readlinkSync(join(dir, path))}`];
          if (info.isDirectory()) return [`${path}/ ${mode}`, ...tree(dir, path)];
          return [`${path} ${mode} ${readFileSync(join(dir, path)).toString('base64').slice(0, 40)} ${info.size}`];
        });
    expect(tree(inProcess)).toEqual(tree(byTar));
    expect(tree(inProcess)).toContain('run -> bin/run.sh');
    if (isRoot) {
      for (const path of ['', 'bin', 'bin/run.sh', 'run', deep, `${deep}/ünïcode name.txt`])
        expect(lstatSync(join(inProcess, path))).toMatchObject({ uid: 1000, gid: 1000 });
    }
  });

  it('refuses a member `../x` and writes nothing', async () => {
    const base = fresh('dotdot');
    mkdirSync(join(base, 'inner'));
    writeFileSync(join(base, 'x'), 'owned\n');
    const archive = tar(join(base, 'inner'), '-P', '../x');
    const dir = fresh('dotdot-out');
    await expect(extractTar(archive, dir)).rejects.toMatchObject({
      code: 'REPO_INVALID',
      message: expect.stringContaining('"../x"'),
    });
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(root, 'x'))).toEqual(false);
  });

  it('refuses an absolute member and writes nothing', async () => {
    const source = fresh('absolute');
    writeFileSync(join(source, 'abs'), 'owned\n');
    const archive = tar('/', '-P', join(source, 'abs'));
    const dir = fresh('absolute-out');
    await expect(extractTar(archive, dir)).rejects.toMatchObject({
      code: 'REPO_INVALID',
      message: expect.stringContaining(`"${join(source, 'abs')}"`),
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a symbolic link that leads outside followed by a file written through it', async () => {
    const outside = fresh('outside');
    const withLink = fresh('with-link');
    symlinkSync(outside, join(withLink, 'out'));
    const withFile = fresh('with-file');
    mkdirSync(join(withFile, 'out'));
    writeFileSync(join(withFile, 'out/owned'), 'owned\n');
    const archive = tar(withLink, 'out', '-C', withFile, 'out/owned');
    const dir = fresh('link-out');
    await expect(extractTar(archive, dir)).rejects.toMatchObject({
      code: 'REPO_INVALID',
      message: expect.stringContaining('through or over a symbolic link'),
    });
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses a hard link and an archive whose header is damaged', async () => {
    const source = fresh('hard');
    writeFileSync(join(source, 'a'), 'a\n');
    execFileSync('ln', [join(source, 'a'), join(source, 'b')]);
    await expect(extractTar(tar(source, 'a', 'b'), fresh('hard-out'))).rejects.toMatchObject({
      code: 'REPO_INVALID',
      message: expect.stringContaining("tar type '1'"),
    });
    const damaged = tar(source, 'a');
    damaged[0] = 'z'.charCodeAt(0);
    await expect(extractTar(damaged, fresh('damaged-out'))).rejects.toMatchObject({
      code: 'REPO_INVALID',
      message: expect.stringContaining('checksum'),
    });
  });
});
