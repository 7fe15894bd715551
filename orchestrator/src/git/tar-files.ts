import { CodecrewError } from '@codecrew/core';

const BLOCK = 512;

/** What a tar archive holds, read in place (no copy): its file paths and a way to read one. */
export interface TarFiles {
  /** Paths of the regular files and symbolic links, in archive order. */
  paths: string[];
  /** The bytes of a regular file, or undefined when the archive has no such file. */
  read(path: string): Buffer | undefined;
}

const text = (block: Buffer, start: number, length: number): string => {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
};

const octal = (block: Buffer, start: number, length: number): number => {
  const value = text(block, start, length).trim();
  return value === '' ? 0 : parseInt(value, 8);
};

/** The records of a pax extended header ("<length> <key>=<value>\n" each). */
function paxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = space === -1 ? NaN : parseInt(data.subarray(at, space).toString('ascii'), 10);
    if (!Number.isInteger(length) || length <= 0 || at + length > data.length) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return records;
}

/**
 * Lists a tar archive as `git archive --format=tar` writes it (ustar headers,
 * with pax extended headers for long names and sizes). Throws INTERNAL for
 * an archive that is cut short or whose headers do not add up.
 */
export function readTarFiles(tar: Buffer): TarFiles {
  const files = new Map<string, Buffer>();
  const paths: string[] = [];
  let pax = new Map<string, string>();
  let at = 0;
  let ended = false;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((byte) => byte === 0)) {
      ended = true;
      break;
    }
    const type = String.fromCharCode(header[156] ?? 0);
    const size = Number(pax.get('size') ?? octal(header, 124, 12));
    const dataStart = at + BLOCK;
    if (!Number.isSafeInteger(size) || size < 0 || dataStart + size > tar.length) {
      throw new CodecrewError('INTERNAL', `the tree archive is damaged: an entry at byte ${at} claims ${size} bytes`);
    }
    const data = tar.subarray(dataStart, dataStart + size);
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      pax = paxRecords(data);
      continue;
    }
    if (type === 'g') continue;
    const prefix = text(header, 345, 155);
    const name = pax.get('path') ?? (prefix === '' ? text(header, 0, 100) : `${prefix}/${text(header, 0, 100)}`);
    pax = new Map();
    if (type === '0' || type === '\0') {
      paths.push(name);
      files.set(name, data);
    } else if (type === '2') {
      paths.push(name);
    }
  }
  if (!ended) throw new CodecrewError('INTERNAL', `the tree archive is damaged: it ends at byte ${tar.length} without an end marker`);
  return { paths, read: (path) => files.get(path) };
}
