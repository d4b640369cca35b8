import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/**
 * A minimal streaming writer of POSIX ustar archives (POSIX.1-2001 "ustar Interchange
 * Format"), enough for regular files: GNU tar, bsdtar and 7-Zip read it. Each file is
 * read from disk as it is written, so an entry of any size costs one block of memory.
 */

const BLOCK = 512;
/** the largest size the 11 octal digits of a ustar header hold (8 GiB - 1) */
const MAX_OCTAL_SIZE = 8 ** 11 - 1;

export interface TarEntry {
  /** the name inside the archive: ASCII, "dir/file", at most 100 bytes after the directory */
  name: string;
  /** the file on disk whose bytes the entry holds */
  source: string;
  mtime: Date;
}

function writeOctal(header: Buffer, offset: number, width: number, value: number): void {
  // width - 1 digits, then NUL
  header.write(value.toString(8).padStart(width - 1, '0') + '\0', offset, width, 'ascii');
}

/** A size past the octal field goes in base 256 (GNU tar's extension: high bit set, big-endian). */
function writeSize(header: Buffer, value: number): void {
  if (value <= MAX_OCTAL_SIZE) return writeOctal(header, 124, 12, value);
  header[124] = 0x80;
  let v = BigInt(value);
  for (let i = 135; i > 124; i--) {
    header[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** One ustar header block for a regular file. */
export function tarHeader(name: string, size: number, mtime: Date, mode = 0o640): Buffer {
  const slash = name.lastIndexOf('/');
  const [prefix, base] = Buffer.byteLength(name) > 100 && slash > 0 ? [name.slice(0, slash), name.slice(slash + 1)] : ['', name];
  if (!/^[\x20-\x7e]+$/.test(name) || Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155) {
    throw new Error(`a tar entry name must be printable ASCII with at most 100 bytes after its directory: ${name}`);
  }
  const header = Buffer.alloc(BLOCK);
  header.write(base, 0, 100, 'ascii');
  writeOctal(header, 100, 8, mode);
  writeOctal(header, 108, 8, 0); // uid
  writeOctal(header, 116, 8, 0); // gid
  writeSize(header, size);
  writeOctal(header, 136, 12, Math.floor(mtime.getTime() / 1000));
  header.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  header.write('0', 156, 1, 'ascii'); // regular file
  header.write('ustar\x0000', 257, 8, 'ascii');
  header.write(prefix, 345, 155, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return header;
}

/** The archive as a stream of chunks: each entry's header, its bytes, padding; two zero blocks at the end. */
export async function* tarStream(entries: readonly TarEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    const { size } = await stat(entry.source);
    yield tarHeader(entry.name, size, entry.mtime);
    let written = 0;
    for await (const chunk of createReadStream(entry.source)) {
      written += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
    if (written !== size) throw new Error(`${entry.source} changed while it was being archived`);
    if (size % BLOCK) yield Buffer.alloc(BLOCK - (size % BLOCK));
  }
  yield Buffer.alloc(2 * BLOCK);
}
