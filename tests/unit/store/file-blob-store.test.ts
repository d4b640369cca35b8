import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { FileBlobStore } from '../../../src/store/file-blob-store.js';

let store: FileBlobStore;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hopthu-blobs-'));
  store = await new FileBlobStore(dir).init();
});

describe('file blob store', () => {
  it('names a blob by the SHA-256 of its bytes and reads it back exactly', async () => {
    const bytes = Buffer.concat([Buffer.from('Subject: thử\r\n\r\n'), randomBytes(100_000), Buffer.from([0, 0xff, 0x0d])]);
    const blob = await store.put((async function* () {
      yield bytes.subarray(0, 10);
      yield bytes.subarray(10);
    })());
    expect(blob).toEqual({ hash: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
    expect((await store.read(blob.hash)).equals(bytes)).toBe(true);
    expect((await store.readRange(blob.hash, 5, 20)).equals(bytes.subarray(5, 20))).toBe(true);
    const streamed: Buffer[] = [];
    for await (const c of store.stream(blob.hash, 100, 200)) streamed.push(c as Buffer);
    expect(Buffer.concat(streamed).equals(bytes.subarray(100, 200))).toBe(true);
  });

  it('stores the same content once', async () => {
    const a = await store.put([Buffer.from('same')]);
    const b = await store.put([Buffer.from('same')]);
    expect(a.hash).toBe(b.hash);
    expect(store.pathOf(a.hash)).toContain(path.join(a.hash.slice(0, 2), a.hash.slice(2, 4), a.hash));
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('leaves no temporary file when the source fails', async () => {
    const failing = (async function* () {
      yield Buffer.from('partial');
      throw new Error('client went away');
    })();
    await expect(store.put(failing)).rejects.toThrow('client went away');
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('deletes, and deleting twice is harmless', async () => {
    const blob = await store.put([Buffer.from('to delete')]);
    await store.delete(blob.hash);
    expect(await store.has(blob.hash)).toBe(false);
    await store.delete(blob.hash);
  });

  it('refuses a path that is not a hash', () => {
    expect(() => store.pathOf('../../etc/passwd')).toThrow(/not a blob hash/);
  });
});
