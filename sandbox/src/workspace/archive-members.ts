import { CodecrewError } from '@codecrew/core';

/** One member of a tar archive as GNU tar will extract it; texts hold the raw bytes (latin1). */
export interface ArchiveMember {
  path: string;
  /** The tar type flag: '0' or '\0' file, '1' hard link, '2' symbolic link, '5' directory, ... */
  type: string;
  /** The target of a link. */
  link: string;
  size: number;
  /** The permission bits the header gives. */
  mode: number;
  /** The member's bytes (a view into the archive). */
  data: Uint8Array;
}

/** A member that passed {@link checkArchive}, with its path split below the archive's root (`[]` is the root). */
export interface CheckedMember extends ArchiveMember {
  segments: string[];
}

const invalid = (reason: string) => new CodecrewError('REPO_INVALID', `the workspace archive is not valid: ${reason}`);

const text = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** The text of a NUL-terminated header field. */
function field(block: Uint8Array, start: number, length: number): string {
  const bytes = block.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return text(end === -1 ? bytes : bytes.subarray(0, end));
}

/** A numeric header field: octal text, or base-256 when its first byte has the high bit set. */
function number(block: Uint8Array, start: number, length: number): number {
  if ((block[start] ?? 0) & 0x80) {
    let value = (block[start] ?? 0) & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + (block[i] ?? 0);
    return value;
  }
  const digits = field(block, start, length).trim();
  if (!/^[0-7]*$/.test(digits)) throw invalid(`a header field holds ${JSON.stringify(digits)}, not an octal number`);
  return digits === '' ? 0 : parseInt(digits, 8);
}

/** Whether the header's checksum matches (unsigned or, as old tars wrote it, signed bytes). */
function checksumMatches(block: Uint8Array): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  const stored = number(block, 148, 8);
  return stored === unsigned || stored === signed;
}

/** The records of a pax extended header, `<length> <key>=<value>\n` each, the length counting the whole record. */
function paxRecords(data: Uint8Array, into: Map<string, string>): Map<string, string> {
  for (let at = 0; at < data.length;) {
    const space = data.indexOf(0x20, at);
    const length = space === -1 ? NaN : Number(text(data.subarray(at, space)));
    if (
      !Number.isSafeInteger(length) ||
      at + length > data.length ||
      space + 2 > at + length ||
      data[at + length - 1] !== 0x0a
    ) {
      throw invalid('a pax header is malformed');
    }
    const record = text(data.subarray(space + 1, at + length - 1));
    const equals = record.indexOf('=');
    if (equals <= 0) throw invalid('a pax header is malformed');
    into.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return into;
}

/**
 * The members of a tar archive (ustar, pax and GNU long names) with the
 * paths, sizes and link targets their extended headers give them, as GNU tar
 * reads them. Zero blocks are skipped rather than taken as the end, so every
 * member tar could extract is seen. Throws REPO_INVALID for a header with a
 * wrong checksum (tar would search on for a header: anywhere in file data), a
 * member cut short, or a sparse file.
 */
export function* archiveMembers(tar: Uint8Array): Generator<ArchiveMember> {
  const global = new Map<string, string>();
  let extended = new Map<string, string>();
  let longName: string | undefined;
  let longLink: string | undefined;
  for (let at = 0; at < tar.length;) {
    const block = tar.subarray(at, at + 512);
    if (block.length < 512) throw invalid('it ends inside a header');
    at += 512;
    if (block.every((byte) => byte === 0)) continue;
    if (!checksumMatches(block)) throw invalid(`the header at byte ${at - 512} has a wrong checksum`);
    const type = String.fromCharCode(block[156] ?? 0);
    const meta = type === 'x' || type === 'g' || type === 'L' || type === 'K';
    const keys = new Map([...global, ...extended]);
    const sizeKey = meta ? undefined : keys.get('size');
    if (sizeKey !== undefined && !/^\d+$/.test(sizeKey)) throw invalid(`a pax size is ${JSON.stringify(sizeKey)}`);
    const size = sizeKey !== undefined ? Number(sizeKey) : number(block, 124, 12);
    if (!Number.isSafeInteger(size) || at + size > tar.length) throw invalid('a member is cut short');
    const data = tar.subarray(at, at + size);
    at += Math.ceil(size / 512) * 512;
    if (type === 'x') extended = paxRecords(data, new Map());
    else if (type === 'g') paxRecords(data, global);
    else if (type === 'L') longName = field(data, 0, data.length);
    else if (type === 'K') longLink = field(data, 0, data.length);
    else {
      if (type === 'S' || [...keys.keys()].some((key) => key.startsWith('GNU.sparse')))
        throw invalid('it holds a sparse file');
      // Only POSIX ustar headers ("ustar\0") have a name prefix; GNU headers use those bytes for other things.
      const prefix = field(block, 257, 6) === 'ustar' ? field(block, 345, 155) : '';
      const name = field(block, 0, 100);
      const path = keys.get('path') ?? longName ?? (prefix === '' ? name : `${prefix}/${name}`);
      const link = keys.get('linkpath') ?? longLink ?? field(block, 157, 100);
      yield { path, type, link, size, mode: number(block, 100, 8) & 0o7777, data };
      extended = new Map();
      longName = undefined;
      longLink = undefined;
    }
  }
}

/** A member's path as segments below the archive's root; `./` and `.` segments are dropped, so `[]` is the root. */
function segmentsOf(path: string): string[] {
  const segments = path.split('/');
  if (path.startsWith('/') || path.includes('\0') || segments.includes('..'))
    throw invalid(`member ${JSON.stringify(path)} is not a relative path inside the archive`);
  return segments.filter((segment) => segment !== '' && segment !== '.');
}

/**
 * Checks, before anything is written, that a tar archive unpacks inside its
 * directory: only files, directories and symbolic links (the members `git
 * archive` writes); no absolute or `..` path; nothing written through or over
 * a symbolic link of the archive, wherever that link points. The member `./`
 * is the directory itself. Throws REPO_INVALID otherwise; returns the
 * members in archive order, each with its path as segments below the root.
 */
export function checkArchive(tar: Uint8Array): CheckedMember[] {
  const links = new Set<string>();
  const checked: CheckedMember[] = [];
  for (const member of archiveMembers(tar)) {
    const segments = segmentsOf(member.path);
    const shown = JSON.stringify(member.path);
    if (!['0', '\0', '5', '2'].includes(member.type))
      throw invalid(`member ${shown} is of tar type '${member.type}', which git archive never writes`);
    const file = member.type === '0' || member.type === '\0';
    if (!file && member.size !== 0) throw invalid(`member ${shown} has data but is no file`);
    // tar takes a file whose name ends in a slash for a directory (an old convention): refused, whatever its data.
    if (file && member.path.endsWith('/')) throw invalid(`member ${shown} is a file named as a directory`);
    if (segments.length === 0 && member.type !== '5')
      throw invalid(`member ${shown} is the archive's root but no directory`);
    for (let i = 1; i <= segments.length; i++) {
      if (links.has(segments.slice(0, i).join('/')))
        throw invalid(`member ${shown} goes through or over a symbolic link`);
    }
    if (member.type === '2') links.add(segments.join('/'));
    checked.push({ ...member, segments });
  }
  return checked;
}
