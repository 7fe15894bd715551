import { CodecrewError } from '@codecrew/core';
import { DEFAULT_IDENTITY, type GitRepo } from './repo.ts';
import type { TreeChange } from './changes.ts';

/** One change of a chain step; `data` carries the bytes of a blob the repository does not have yet. */
export type ChainChange = TreeChange & { data?: Uint8Array | null };

/** One commit of a chain: the changes it makes to its parent's tree, and its message. */
export interface ChainStep {
  changes: ChainChange[];
  message: string;
}

/** A path as git fast-import reads it: C-quoted, so that any byte but NUL is safe. */
function quotePath(path: string): string {
  let quoted = '"';
  for (const ch of path) {
    const code = ch.charCodeAt(0);
    if (ch === '\\' || ch === '"') quoted += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) quoted += `\\${code.toString(8).padStart(3, '0')}`;
    else quoted += ch;
  }
  return `${quoted}"`;
}

/**
 * Creates a chain of commits on `parent`, each applying its step's changes to
 * the tree before it, in one `git fast-import` run; returns the commit ids in
 * order. A change names a blob the repository has, or carries its bytes.
 */
export async function commitChain(repo: GitRepo, parent: string, steps: ChainStep[]): Promise<string[]> {
  if (steps.length === 0) return [];
  const now = Math.floor(Date.now() / 1000);
  const committer = `committer ${DEFAULT_IDENTITY.name} <${DEFAULT_IDENTITY.email}> ${now} +0000`;
  const chunks: Array<string | Uint8Array> = ['feature done\n'];
  steps.forEach((step, index) => {
    const message = step.message.endsWith('\n') ? step.message : `${step.message}\n`;
    chunks.push(
      `commit refs/codecrew/chain\nmark :${index + 1}\n${committer}\ndata ${Buffer.byteLength(message)}\n${message}`,
    );
    chunks.push(index === 0 ? `from ${parent}\n` : `from :${index}\n`);
    // Deletions first, so that a file replacing a directory (or the reverse) lands whole.
    for (const change of step.changes) if (change.mode === null) chunks.push(`D ${quotePath(change.path)}\n`);
    for (const change of step.changes) {
      if (change.mode === null) continue;
      if (change.data)
        chunks.push(
          `M ${change.mode} inline ${quotePath(change.path)}\ndata ${change.data.byteLength}\n`,
          change.data,
          '\n',
        );
      else chunks.push(`M ${change.mode} ${change.blob} ${quotePath(change.path)}\n`);
    }
    chunks.push('\n');
  });
  steps.forEach((_, index) => chunks.push(`get-mark :${index + 1}\n`));
  chunks.push('done\n');
  const out = await repo.run(['fast-import', '--quiet', '--force', '--date-format=raw'], {
    input: Buffer.concat(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk))),
  });
  const ids = out.stdout.split('\n').filter((line) => /^[0-9a-f]{40,64}$/.test(line));
  if (ids.length !== steps.length)
    throw new CodecrewError(
      'GIT_FAILED',
      `git fast-import returned ${ids.length} commit ids for ${steps.length} commits`,
    );
  return ids;
}
