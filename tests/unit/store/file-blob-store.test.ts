import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileBlobStore } from '../../../src/store/file-blob-store.js';
import { blobStoreConformance } from './blob-store-conformance.js';

let store: FileBlobStore;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hopthu-blobs-'));
  store = await new FileBlobStore(dir).init();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

blobStoreConformance('file blob store', () => store, () => new FileBlobStore(dir));

describe('file blob store', () => {
  it('keeps a blob at ab/<sha256> and leaves no temporary file', async () => {
    const a = await store.put([Buffer.from('same')]);
    expect(store.pathOf(a.hash)).toBe(path.join(dir, a.hash.slice(0, 2), a.hash));
    expect(readFileSync(store.pathOf(a.hash), 'utf8')).toBe('same');
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('moves the blobs of the old ab/cd/<sha256> layout up a level at start', async () => {
    const old = mkdtempSync(path.join(os.tmpdir(), 'hopthu-blobs-old-'));
    try {
      const hash = createHash('sha256').update('kept from before').digest('hex');
      mkdirSync(path.join(old, hash.slice(0, 2), hash.slice(2, 4)), { recursive: true });
      writeFileSync(path.join(old, hash.slice(0, 2), hash.slice(2, 4), hash), 'kept from before');
      const reopened = await new FileBlobStore(old).init();
      expect((await reopened.read(hash)).toString()).toBe('kept from before');
      expect(readdirSync(path.join(old, hash.slice(0, 2)))).toEqual([hash]);
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  });

  it('leaves no temporary file when the source fails', async () => {
    const failing = (async function* () {
      yield Buffer.from('partial');
      throw new Error('client went away');
    })();
    await expect(store.put(failing)).rejects.toThrow('client went away');
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('refuses a path that is not a hash', () => {
    expect(() => store.pathOf('../../etc/passwd')).toThrow(/not a blob hash/);
  });
});
