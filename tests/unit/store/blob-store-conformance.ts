import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import type { BlobStore } from '../../../src/store/blob-store.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** `bytes` given in pieces of uneven sizes, as a socket gives a message */
async function* inPieces(bytes: Buffer, piece = 65_519) {
  for (let at = 0; at < bytes.length; at += piece) yield bytes.subarray(at, at + piece);
}

/**
 * What every blob store promises (src/store/blob-store.ts), run against each
 * implementation: the file store and the S3 store give the same answers. `reopen` gives
 * a second store over the same files or bucket, with nothing in memory, so that reads
 * are checked both from a store's memory of recent blobs and from its backend.
 */
export function blobStoreConformance(name: string, store: () => BlobStore, reopen: () => BlobStore) {
  describe(`${name}: the blob store contract`, () => {
    it('names a blob by the SHA-256 of its bytes and reads it back exactly, whole, by range and as a stream', async () => {
      const bytes = Buffer.concat([Buffer.from('Subject: thử\r\n\r\n'), randomBytes(100_000), Buffer.from([0, 0xff, 0x0d])]);
      const blob = await store().put((async function* () {
        yield bytes.subarray(0, 10);
        yield bytes.subarray(10);
      })());
      expect(blob).toEqual({ hash: sha256(bytes), size: bytes.length });
      for (const reader of [store(), reopen()]) {
        expect((await reader.read(blob.hash)).equals(bytes)).toBe(true);
        expect((await reader.readRange(blob.hash, 5, 20)).equals(bytes.subarray(5, 20))).toBe(true);
        expect((await collect(reader.stream(blob.hash, 100, 200))).equals(bytes.subarray(100, 200))).toBe(true);
        expect((await collect(reader.stream(blob.hash))).equals(bytes)).toBe(true);
        expect((await collect(reader.stream(blob.hash, 99_000))).equals(bytes.subarray(99_000))).toBe(true);
        expect((await collect(reader.stream(blob.hash, 0, 0))).length).toBe(0);
        expect(await reader.has(blob.hash)).toBe(true);
      }
    });

    it('a range reaching past the end gives what is there; one starting past it gives nothing', async () => {
      const bytes = Buffer.from('Kính gửi các đồng chí');
      const { hash } = await store().put([bytes]);
      for (const reader of [store(), reopen()]) {
        expect((await reader.readRange(hash, 10, 10_000)).equals(bytes.subarray(10))).toBe(true);
        expect((await reader.readRange(hash, 0, 1)).equals(bytes.subarray(0, 1))).toBe(true);
        expect((await reader.readRange(hash, 500, 600)).length).toBe(0);
        expect((await reader.readRange(hash, 7, 7)).length).toBe(0);
        expect((await collect(reader.stream(hash, 10, 10_000))).equals(bytes.subarray(10))).toBe(true);
      }
    });

    it('stores a large blob (6 MB, in uneven pieces) and reads it back byte for byte', async () => {
      const bytes = randomBytes(6 * 1024 * 1024 + 17);
      const blob = await store().put(inPieces(bytes));
      expect(blob).toEqual({ hash: sha256(bytes), size: bytes.length });
      expect(sha256(await store().read(blob.hash))).toBe(blob.hash);
      expect(sha256(await collect(store().stream(blob.hash)))).toBe(blob.hash);
      const middle = 3 * 1024 * 1024;
      expect((await store().readRange(blob.hash, middle - 5, middle + 5)).equals(bytes.subarray(middle - 5, middle + 5))).toBe(true);
      expect((await collect(store().stream(blob.hash, middle, middle + 300_000))).equals(bytes.subarray(middle, middle + 300_000))).toBe(true);
    });

    it('stores the same content once, however many times and however concurrently it is put', async () => {
      const bytes = Buffer.from(`Công văn số ${randomBytes(4).toString('hex')}\r\n`.repeat(2000));
      const first = await store().put([bytes]);
      const again = await Promise.all(Array.from({ length: 8 }, () => store().put(inPieces(bytes, 4096))));
      for (const b of again) expect(b).toEqual(first);
      expect((await reopen().read(first.hash)).equals(bytes)).toBe(true);
    });

    it('a put whose source fails rejects with the source error', async () => {
      const failing = (async function* () {
        yield randomBytes(2 * 1024 * 1024);
        throw new Error('client went away');
      })();
      await expect(store().put(failing)).rejects.toThrow('client went away');
    });

    it('deletes, and deleting twice is harmless', async () => {
      const blob = await store().put([Buffer.from(`to delete ${Date.now()}`)]);
      await store().delete(blob.hash);
      expect(await store().has(blob.hash)).toBe(false);
      await expect(store().read(blob.hash)).rejects.toThrow();
      await expect(reopen().read(blob.hash)).rejects.toThrow();
      await store().delete(blob.hash);
    });

    it('a blob never stored is not there, and reading it fails', async () => {
      const hash = sha256(randomBytes(16));
      expect(await store().has(hash)).toBe(false);
      await expect(store().read(hash)).rejects.toThrow();
      await expect(collect(store().stream(hash))).rejects.toThrow();
    });

    it('refuses a name that is not a hash', async () => {
      await expect(async () => store().has('../../etc/passwd')).rejects.toThrow(/not a blob hash/);
      await expect(async () => store().read('../../etc/passwd')).rejects.toThrow(/not a blob hash/);
    });
  });
}
