import { CodecrewError, TarFormatError, tarEntries } from '@codecrew/core';

/** What a tar archive holds, read in place (no copy): its file paths and a way to read one. */
export interface TarFiles {
  /** Paths of the regular files and symbolic links, in archive order. */
  paths: string[];
  /** The bytes of a regular file, or undefined when the archive has no such file. */
  read(path: string): Buffer | undefined;
}

/**
 * Lists a tar archive as `git archive --format=tar` writes it. Throws
 * INTERNAL for an archive that is cut short or whose headers do not add up.
 */
export function readTarFiles(tar: Buffer): TarFiles {
  const files = new Map<string, Buffer>();
  const paths: string[] = [];
  try {
    for (const entry of tarEntries(tar)) {
      if (entry.type === '0') files.set(entry.path, entry.data);
      if (entry.type === '0' || entry.type === '2') paths.push(entry.path);
    }
  } catch (error) {
    if (error instanceof TarFormatError) throw new CodecrewError('INTERNAL', `the tree archive is damaged: ${error.message}`, { cause: error });
    throw error;
  }
  return { paths, read: (path) => files.get(path) };
}
