import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A tar of a made-up repository of about `megabytes` MB: a dozen top-level
 * entries like a real project, files of 4–64 KB of hex text spread over
 * nested directories, and a `MARKER` file a command can look for. Its
 * members are named as `git archive` names them (`README.md`, `pkg0/…`),
 * never `./`.
 */
export function repositoryTar(megabytes: number): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'codecrew-bench-repo-'));
  try {
    const target = megabytes * 1024 * 1024;
    writeFileSync(join(dir, 'README.md'), '# bench\n');
    writeFileSync(join(dir, 'package.json'), '{"name":"bench"}\n');
    writeFileSync(join(dir, 'MARKER'), 'here\n');
    let written = 0;
    let i = 0;
    while (written < target) {
      const size = 4096 * (1 + (i % 16));
      const sub = join(dir, `pkg${i % 10}`, `mod${Math.floor(i / 10) % 20}`);
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, `file${i}.txt`), randomBytes(size / 2).toString('hex'));
      written += size;
      i++;
    }
    return execFileSync('tar', ['-cf', '-', '-C', dir, '--', ...readdirSync(dir).sort()], {
      maxBuffer: 2 * target + 64 * 1024 * 1024,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
