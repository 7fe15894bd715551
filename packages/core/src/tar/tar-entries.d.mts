/** One member of a tar archive. */
export interface TarEntry {
  /** The member's path as written in the archive (directories end in `/`). */
  path: string;
  /** `0` regular file, `2` symbolic link, `5` directory, others as tar defines them. */
  type: string;
  /** Permission bits. */
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** A symbolic link's target. */
  linkname: string;
  /** A view of the member's bytes inside the archive. */
  data: Buffer;
}

/** Thrown for an archive that is cut short or whose headers do not add up. */
export declare class TarFormatError extends Error {}

/** The members of a tar archive as `git archive` writes it, in order, read in place. */
export declare function tarEntries(archive: Uint8Array): Generator<TarEntry, void, undefined>;
