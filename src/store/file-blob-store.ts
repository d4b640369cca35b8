import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, fsync, openSync, renameSync, statSync, writev, writevSync } from 'node:fs';
import { mkdir, open, unlink, readFile, readdir, rmdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { Readable } from 'node:stream';
import { assertBlobHash, isBlobHash, type BlobStore, type StoredBlob } from './blob-store.js';
import { RecentBlobs } from './recent-blobs.js';

const WRITE_BATCH_BYTES = 256 * 1024;
const fsyncFd = promisify(fsync);
const writevFd = promisify(writev);

/**
 * Blobs as files under `dir/ab/<sha256>`: 256 directories, made once each, so after the
 * first few hundred messages a put makes no directory (the earlier `ab/cd/` layout made
 * one, with two extra directory fsyncs, for nearly every message of a new server; ext4
 * indexes large directories, so tens of thousands of files in one cost nothing). A put writes a temporary file, fsyncs it,
 * renames it into place and fsyncs the directory, so a blob that `put` reported is on
 * disk whatever happens next.
 *
 * The calls that only touch memory (creating the temporary file, rename, stat, opening and
 * closing a directory, closing the file, copying its last piece of at most 256 KiB into the
 * page cache) are made synchronously: they take microseconds, and handing each to libuv's
 * thread pool cost more CPU than the call itself (a put made ten such hand-offs per
 * message). The larger writes before that last piece and fsync stay asynchronous. Most
 * message bodies no longer come here: up to blobs.inlineMaxBytes they are rows in
 * PostgreSQL (inline-blob-store.ts), partly because creating a file is not always cheap:
 * ext4 without a journal scans past recently freed inodes, and with a file per message
 * created and freed that was 12% of the IMAP process's CPU in the benchmark.
 */
export class FileBlobStore implements BlobStore {
  private readonly tmpDir: string;
  private readonly knownDirs = new Set<string>();
  constructor(
    private readonly dir: string,
    private readonly recent = new RecentBlobs(),
  ) {
    this.tmpDir = path.join(dir, 'tmp');
  }

  async init() {
    await mkdir(this.tmpDir, { recursive: true });
    await flattenLegacyLayout(this.dir);
    return this;
  }

  pathOf(hash: string) {
    assertBlobHash(hash);
    return path.join(this.dir, hash.slice(0, 2), hash);
  }

  async put(content: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<StoredBlob> {
    const tmp = path.join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const hasher = createHash('sha256');
    let size = 0;
    const kept = this.recent.collector();
    // creating a file in tmp/ is metadata: done here, not through the thread pool, whose
    // hand-over cost the SMTP intake more CPU than the call itself (the fsync below waits on the disk, so it goes there)
    const fd = openSync(tmp, 'wx', 0o640);
    try {
      // small pieces are gathered and written with one call
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const chunk of content) {
        hasher.update(chunk);
        size += chunk.length;
        kept.add(chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= WRITE_BATCH_BYTES) {
          await writevFd(fd, pending);
          pending = [];
          pendingBytes = 0;
        }
      }
      // the last piece (all of a typical message) is under WRITE_BATCH_BYTES: a copy into the page cache
      if (pending.length) writevSync(fd, pending);
      await fsyncFd(fd);
    } catch (err) {
      closeSync(fd);
      await unlink(tmp).catch(() => {});
      throw err;
    }
    closeSync(fd);
    const hash = hasher.digest('hex');
    const target = this.pathOf(hash);
    const targetDir = path.dirname(target);
    await this.ensureDir(targetDir);
    // the same content already there is simply replaced by identical bytes
    renameSync(tmp, target);
    await fsyncDir(targetDir);
    const bytes = kept.bytes();
    if (bytes) this.recent.remember(hash, bytes);
    return { hash, size };
  }

  /** Makes `ab` once; a new directory's own entry is made durable in its parent too. */
  private async ensureDir(dir: string) {
    if (this.knownDirs.has(dir)) return;
    const created = await mkdir(dir, { recursive: true });
    if (created) await fsyncDir(path.dirname(dir));
    this.knownDirs.add(dir);
  }

  read(hash: string): Promise<Buffer> {
    const recent = this.recent.get(hash);
    if (recent) return Promise.resolve(recent);
    return readFile(this.pathOf(hash));
  }

  async readRange(hash: string, start: number, end: number): Promise<Buffer> {
    const recent = this.recent.range(hash, start, end);
    if (recent) return recent;
    const file = await open(this.pathOf(hash), 'r');
    try {
      const length = Math.max(0, end - start);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, start);
      return buffer.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  }

  stream(hash: string, start?: number, end?: number): Readable {
    const file = this.pathOf(hash);
    // an empty range is nothing to read (createReadStream would refuse end = -1)
    if (end !== undefined && end <= (start ?? 0)) return Readable.from([]);
    // createReadStream's end is inclusive
    return createReadStream(file, { start, end: end === undefined ? undefined : end - 1 });
  }

  has(hash: string): Promise<boolean> {
    return exists(this.pathOf(hash));
  }

  async delete(hash: string): Promise<void> {
    this.recent.forget(hash);
    await unlink(this.pathOf(hash)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}

async function exists(p: string) {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Moves blobs of the old two-level layout (`ab/cd/<sha256>`) up to `ab/<sha256>`, once, at
 * start: each rename is within one file system and made durable before its empty
 * directory goes, so a crash midway leaves every blob in one of the two places and the
 * next start finishes the move.
 */
async function flattenLegacyLayout(dir: string) {
  for (const top of await readdir(dir)) {
    if (!/^[0-9a-f]{2}$/.test(top)) continue;
    const topDir = path.join(dir, top);
    for (const sub of await readdir(topDir)) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      const subDir = path.join(topDir, sub);
      for (const file of await readdir(subDir)) if (isBlobHash(file)) renameSync(path.join(subDir, file), path.join(topDir, file));
      await fsyncDir(topDir);
      await rmdir(subDir);
    }
  }
}

async function fsyncDir(dir: string) {
  const fd = openSync(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    closeSync(fd);
  }
}
