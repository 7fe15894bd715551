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
