import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
  it('keeps a blob at ab/cd/<sha256> and leaves no temporary file', async () => {
    const a = await store.put([Buffer.from('same')]);
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

  it('refuses a path that is not a hash', () => {
    expect(() => store.pathOf('../../etc/passwd')).toThrow(/not a blob hash/);
  });
});
