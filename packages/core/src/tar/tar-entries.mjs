// Reads tar archives as `git archive --format=tar` writes them: ustar headers,
// pax extended headers for long names. Plain JavaScript, so that helper
// threads can load it without a TypeScript loader.

const BLOCK = 512;

const text = (block, start, length) => {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
};

const octal = (block, start, length) => {
  const value = text(block, start, length).trim();
  return value === '' ? 0 : parseInt(value, 8);
};

/** The records of a pax extended header ("<length> <key>=<value>\n" each). */
function paxRecords(data) {
  const records = new Map();
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

/** Thrown for an archive that is cut short or whose headers do not add up. */
export class TarFormatError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TarFormatError';
  }
}

/**
 * The members of a tar archive, in order, read in place (`data` is a view of
 * the archive, not a copy). Pax headers are applied to the member they
 * describe and not yielded themselves.
 */
export function* tarEntries(archive) {
  const tar = Buffer.isBuffer(archive) ? archive : Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  let pax = new Map();
  let at = 0;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((byte) => byte === 0)) return;
    const type = String.fromCharCode(header[156] ?? 0);
    const size = Number(pax.get('size') ?? octal(header, 124, 12));
    const dataStart = at + BLOCK;
    if (!Number.isSafeInteger(size) || size < 0 || dataStart + size > tar.length) {
      throw new TarFormatError(`the archive is damaged: a member at byte ${at} claims ${size} bytes`);
    }
    const data = tar.subarray(dataStart, dataStart + size);
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      pax = paxRecords(data);
      continue;
    }
    if (type === 'g') continue;
    const prefix = text(header, 345, 155);
    const path = pax.get('path') ?? (prefix === '' ? text(header, 0, 100) : `${prefix}/${text(header, 0, 100)}`);
    const linkname = pax.get('linkpath') ?? text(header, 157, 100);
    pax = new Map();
    yield { path, type: type === '\0' ? '0' : type, mode: octal(header, 100, 8), mtime: octal(header, 136, 12), linkname, data };
  }
  throw new TarFormatError(`the archive is damaged: it ends at byte ${tar.length} without an end marker`);
}
