import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { blobStoreConformance } from '../../unit/store/blob-store-conformance.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { FileBlobStore } from '../../../src/store/file-blob-store.js';
import { InlineBlobStore } from '../../../src/store/inline-blob-store.js';
import { openBlobStore } from '../../../src/store/open-blob-store.js';

/** small enough for the conformance suite to put blobs on both sides of the line */
const MAX = 4096;

let env: TestEnv;
let db: Db;
let files: FileBlobStore;
let store: InlineBlobStore;
const dir = () => path.join(env.dir, 'blobs');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const rowOf = async (hash: string) => (await db.query<{ n: number }>('SELECT length(bytes) AS n FROM blob_contents WHERE hash = $1', [hash])).rows[0];

beforeAll(async () => {
  env = await createTestEnv();
  db = createPool(env.databaseUrl, 4);
  await migrate(db);
  files = await new FileBlobStore(dir()).init();
  store = new InlineBlobStore(db, files, MAX);
});
afterAll(async () => {
  await db?.end();
  await env?.stop();
});

// `reopen` has no memory of recent blobs: its reads of small blobs come from PostgreSQL
blobStoreConformance('PostgreSQL for small blobs, files for the rest', () => store, () => new InlineBlobStore(db, new FileBlobStore(dir()), MAX));

describe('small blobs in PostgreSQL', () => {
  it('keeps a blob of up to maxBytes as a row and makes no file for it', async () => {
    const bytes = Buffer.concat([Buffer.from('Subject: Giấy mời họp giao ban\r\n\r\n'), randomBytes(MAX - 60), Buffer.from([0, 0xff])]);
    const blob = await store.put([bytes.subarray(0, 7), bytes.subarray(7)]);
    expect(blob.size).toBeLessThanOrEqual(MAX);
    expect(await rowOf(blob.hash)).toEqual({ n: bytes.length });
    expect(existsSync(files.pathOf(blob.hash))).toBe(false);
    expect((await new InlineBlobStore(db, files, MAX).read(blob.hash)).equals(bytes)).toBe(true);
  });

  it('sends a blob one byte past maxBytes to the larger store whole, from its first byte', async () => {
    const bytes = randomBytes(MAX + 1);
    const blob = await store.put((async function* () {
      yield bytes.subarray(0, 1000);
      yield bytes.subarray(1000);
    })());
    expect(blob).toEqual({ hash: sha256(bytes), size: bytes.length });
    expect(await rowOf(blob.hash)).toBeUndefined();
    expect((await files.read(blob.hash)).equals(bytes)).toBe(true);
  });

  it('remembers a small blob it read, so a second reader (another device) does not ask PostgreSQL again', async () => {
    const bytes = Buffer.from('Subject: Thư mời\r\n\r\nnội dung\r\n');
    const blob = await store.put([bytes]);
    let reads = 0;
    const counting = { query: ((...args: unknown[]) => (reads++, (db.query as (...a: unknown[]) => unknown)(...args))) as Db['query'] };
    const reader = new InlineBlobStore(counting, files, MAX);
    expect((await reader.read(blob.hash)).equals(bytes)).toBe(true);
    expect((await reader.readRange(blob.hash, 0, 8)).toString()).toBe('Subject:');
    expect(reads).toBe(1);
  });

  it('deleting removes the row, and reading it afterwards fails', async () => {
    const blob = await store.put([Buffer.from(`xóa ${Date.now()}`)]);
    await store.delete(blob.hash);
    expect(await rowOf(blob.hash)).toBeUndefined();
    await expect(new InlineBlobStore(db, files, MAX).read(blob.hash)).rejects.toThrow();
  });

  it('with inlineMaxBytes 0 every blob is a file, as before', async () => {
    const config = { dataDir: path.join(env.dir, 'data0'), blobs: { store: 'file' as const, inlineMaxBytes: 0, cacheMegabytes: 8 } };
    const opened = await openBlobStore(config, db);
    const blob = await opened.put([Buffer.from(`Công văn ${Date.now()}`)]);
    expect(await rowOf(blob.hash)).toBeUndefined();
    expect(existsSync(path.join(config.dataDir, 'blobs', blob.hash.slice(0, 2), blob.hash))).toBe(true);
  });

  it('the server default keeps a typical message (4 KB) in PostgreSQL', async () => {
    const config = { dataDir: path.join(env.dir, 'data1'), blobs: { store: 'file' as const, inlineMaxBytes: 128 * 1024, cacheMegabytes: 8 } };
    const opened = await openBlobStore(config, db);
    const blob = await opened.put([randomBytes(4096)]);
    expect(await rowOf(blob.hash)).toEqual({ n: 4096 });
    expect(existsSync(path.join(config.dataDir, 'blobs', blob.hash.slice(0, 2), blob.hash))).toBe(false);
  });
});
