import { createHash } from 'node:crypto';
import { CodecrewError } from './errors.ts';

/**
 * One changed path of a coder's work: its new mode and git object id with the
 * bytes behind it, or a deletion (mode, blob and data null).
 */
export interface FileSetEntry {
  path: string;
  /** 100644, 100755 or 120000 (a symlink, whose data is its target); null when deleted. */
  mode: string | null;
  /** The git blob id of `data`; null when deleted. */
  blob: string | null;
  data: Uint8Array | null;
}

const MAGIC = 'codecrew-file-set/1\n';

/** The git blob id of `data`: SHA-1, or SHA-256 for repositories that use it (`length` 64). */
export function gitBlobId(data: Uint8Array, length: 40 | 64 = 40): string {
  const hash = createHash(length === 64 ? 'sha256' : 'sha1');
  hash.update(`blob ${data.byteLength}\0`);
  hash.update(data);
  return hash.digest('hex');
}

/**
 * Packs a coder's changed files into one artifact: a header line, a JSON
 * index of paths, modes, blob ids and sizes, then the bytes in index order.
 */
export function encodeFileSet(entries: FileSetEntry[]): Buffer {
  const index = entries.map(({ path, mode, blob, data }) => ({ path, mode, blob, size: data?.byteLength ?? 0 }));
  const json = Buffer.from(`${JSON.stringify(index)}\n`);
  return Buffer.concat([Buffer.from(MAGIC), json, ...entries.flatMap((e) => (e.data ? [Buffer.from(e.data)] : []))]);
}

/**
 * Reads a file set back, checking that every entry's bytes hash to its blob
 * id; ARTIFACT_INVALID says what does not match.
 */
export function decodeFileSet(bytes: Uint8Array): FileSetEntry[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const invalid = (why: string) =>
    new CodecrewError('ARTIFACT_INVALID', `the changed-files artifact is invalid: ${why}`);
  if (buffer.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw invalid('it does not start with its header');
  const end = buffer.indexOf(0x0a, MAGIC.length);
  if (end === -1) throw invalid('its index is cut short');
  let index: Array<{ path: string; mode: string | null; blob: string | null; size: number }>;
  try {
    index = JSON.parse(buffer.subarray(MAGIC.length, end).toString('utf8')) as typeof index;
  } catch {
    throw invalid('its index is not JSON');
  }
  let offset = end + 1;
  return index.map(({ path, mode, blob, size }) => {
    if (mode === null || blob === null) return { path, mode: null, blob: null, data: null };
    const data = buffer.subarray(offset, offset + size);
    offset += size;
    if (data.byteLength !== size) throw invalid(`${path} is cut short`);
    if (gitBlobId(data, blob.length === 64 ? 64 : 40) !== blob)
      throw invalid(`the bytes of ${path} do not match blob ${blob}`);
    return { path, mode, blob, data };
  });
}
