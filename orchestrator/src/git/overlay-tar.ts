import { tarEntries, type TarEntry } from '@codecrew/core';
import type { ChainChange } from './fast-commit.ts';

const BLOCK = 512;
const ZEROS = Buffer.alloc(BLOCK * 2);
/** The modes `git archive` writes with its default umask (002). */
const FILE_MODE = 0o664;
const EXEC_MODE = 0o775;
const DIR_MODE = 0o775;
const LINK_MODE = 0o777;

/** One pax record: "<length> <key>=<value>\n", the length counting itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
  return `${length}${body}`;
}

function header(name: string, type: string, mode: number, size: number, mtime: number, linkname = ''): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  block.write(`${mode.toString(8).padStart(7, '0')}\0`, 100, 'ascii');
  block.write('0000000\0', 108, 'ascii');
  block.write('0000000\0', 116, 'ascii');
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  block.write(`${mtime.toString(8).padStart(11, '0')}\0`, 136, 'ascii');
  block.write(type, 156, 'ascii');
  block.write(linkname, 157, 100, 'utf8');
  block.write('ustar\x0000', 257, 'ascii');
  block.write('root', 265, 'ascii');
  block.write('root', 297, 'ascii');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

const padding = (size: number): Buffer => ZEROS.subarray(0, (BLOCK - (size % BLOCK)) % BLOCK);

/** The blocks of one member, with a pax header first when its name or link target does not fit ustar's fields. */
function member(path: string, type: string, mode: number, data: Buffer, mtime: number, linkname = ''): Buffer[] {
  const blocks: Buffer[] = [];
  const records = [
    Buffer.byteLength(path) > 100 ? paxRecord('path', path) : '',
    Buffer.byteLength(linkname) > 100 ? paxRecord('linkpath', linkname) : '',
  ].join('');
  if (records !== '') {
    const pax = Buffer.from(records);
    blocks.push(header('pax_header', 'x', 0o666, pax.length, mtime), pax, padding(pax.length));
  }
  blocks.push(header(path, type, mode, data.length, mtime, linkname), data, padding(data.length));
  return blocks;
}

/**
 * The archive `git archive` would give for `base`'s tree with `changes`
 * applied (files added, replaced or deleted; directories that end up empty
 * dropped), built from `base`, an archive of the tree, without git. Returns
 * null when a change cannot be written this way: one without its bytes, or
 * a submodule.
 */
export function overlayTar(base: Buffer, changes: ChainChange[], mtime = Math.floor(Date.now() / 1000)): Buffer | null {
  const net = new Map<string, ChainChange>();
  for (const change of changes) net.set(change.path, change);
  for (const change of net.values()) if (change.mode !== null && (change.mode === '160000' || !change.data)) return null;
  const kept: TarEntry[] = [];
  const dirs = new Set<string>();
  const replaced = (path: string) => {
    for (let end = path.length; end > 0; end = path.lastIndexOf('/', end - 1)) if (net.has(path.slice(0, end))) return true;
    return false;
  };
  for (const entry of tarEntries(base)) {
    const path = entry.type === '5' ? entry.path.replace(/\/$/, '') : entry.path;
    if (replaced(path)) continue;
    kept.push(entry);
  }
  // A directory stays when something is left in it.
  const written = [...kept.filter((e) => e.type !== '5').map((e) => e.path), ...[...net.values()].filter((c) => c.mode !== null).map((c) => c.path)];
  for (const path of written) for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) dirs.add(path.slice(0, slash));
  const blocks: Buffer[] = [];
  const present = new Set<string>();
  for (const entry of kept) {
    if (entry.type === '5') {
      const path = entry.path.replace(/\/$/, '');
      if (!dirs.has(path)) continue;
      present.add(path);
      blocks.push(...member(`${path}/`, '5', DIR_MODE, Buffer.alloc(0), entry.mtime));
    } else if (entry.type === '2') {
      blocks.push(...member(entry.path, '2', LINK_MODE, Buffer.alloc(0), entry.mtime, entry.linkname));
    } else {
      blocks.push(...member(entry.path, '0', entry.mode, entry.data, entry.mtime));
    }
  }
  for (const dir of [...dirs].sort()) if (!present.has(dir)) blocks.push(...member(`${dir}/`, '5', DIR_MODE, Buffer.alloc(0), mtime));
  for (const change of net.values()) {
    if (change.mode === null || !change.data) continue;
    const data = Buffer.from(change.data.buffer, change.data.byteOffset, change.data.byteLength);
    if (change.mode === '120000') blocks.push(...member(change.path, '2', LINK_MODE, Buffer.alloc(0), mtime, data.toString('utf8')));
    else blocks.push(...member(change.path, '0', change.mode === '100755' ? EXEC_MODE : FILE_MODE, data, mtime));
  }
  blocks.push(ZEROS);
  return Buffer.concat(blocks);
}
