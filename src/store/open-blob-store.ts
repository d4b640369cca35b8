import path from 'node:path';
import type { Config } from '../config/index.js';
import type { Logger } from '../shared/logger.js';
import type { BlobStore } from './blob-store.js';
import type { Queryable } from './db.js';
import { FileBlobStore } from './file-blob-store.js';
import { InlineBlobStore } from './inline-blob-store.js';
import { RecentBlobs } from './recent-blobs.js';
import { S3BlobStore } from './s3-blob-store.js';

/**
 * The blob store the configuration names: blobs of at most `blobs.inlineMaxBytes` in
 * PostgreSQL, larger ones (`blobs.store`) as files under dataDir/blobs or in the
 * S3-compatible bucket of `blobs.s3`, whose reachability is checked here, so that a server
 * refuses to start without its message bodies. Every place that needs the store (the
 * server's runtime, backup, restore) gets it from here.
 */
export async function openBlobStore(config: Pick<Config, 'dataDir' | 'blobs'>, db: Queryable, log?: Logger): Promise<BlobStore> {
  const s3 = config.blobs.s3;
  // one memory for both stores: a blob's hash names it in either
  const recent = new RecentBlobs(config.blobs.cacheMegabytes * 2 ** 20);
  const larger =
    config.blobs.store === 's3' && s3
      ? await new S3BlobStore({ ...s3, tmpDir: path.join(config.dataDir, 'tmp', 's3-uploads'), recent, ...(log ? { log } : {}) }).init()
      : await new FileBlobStore(path.join(config.dataDir, 'blobs'), recent).init();
  return new InlineBlobStore(db, larger, config.blobs.inlineMaxBytes, recent);
}
