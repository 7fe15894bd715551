/** One path `diff()` found changed: its new mode and blob id, both null when it was deleted. */
export interface WorkspaceChange {
  path: string;
  mode: string | null;
  blob: string | null;
}

/** Splits `git diff -z --patch-with-raw` output into its raw records and the offset where the patch starts. */
export function parseRawChanges(out: Buffer): { changes: WorkspaceChange[]; patchStart: number } {
  const changes: WorkspaceChange[] = [];
  let at = 0;
  // Each record: ":oldmode newmode oldid newid status\0path\0"; a lone NUL ends the list.
  while (at < out.length && out[at] === 0x3a) {
    const metaEnd = out.indexOf(0, at);
    const pathEnd = metaEnd === -1 ? -1 : out.indexOf(0, metaEnd + 1);
    if (pathEnd === -1) break;
    const [, , newMode = '', , newId = '', status = ''] = out.subarray(at, metaEnd).toString('latin1').split(/[: ]/);
    const deleted = status.startsWith('D');
    changes.push({
      path: out.subarray(metaEnd + 1, pathEnd).toString('utf8'),
      mode: deleted ? null : newMode,
      blob: deleted ? null : newId,
    });
    at = pathEnd + 1;
  }
  if (changes.length > 0 && out[at] === 0) at += 1;
  return { changes, patchStart: at };
}
