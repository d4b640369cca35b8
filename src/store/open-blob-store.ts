import path from 'node:path';
import type { Config } from '../config/index.js';
import type { Logger } from '../shared/logger.js';
import type { BlobStore } from './blob-store.js';
import { FileBlobStore } from './file-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

/**
 * The blob store the configuration names (`blobs.store`): files under dataDir/blobs, or
 * the S3-compatible bucket of `blobs.s3`, whose reachability is checked here, so that a
 * server refuses to start without its message bodies. Every place that needs the store
 * (the server's runtime, backup, restore) gets it from here.
 */
export async function openBlobStore(config: Pick<Config, 'dataDir' | 'blobs'>, log?: Logger): Promise<BlobStore> {
  const s3 = config.blobs.s3;
  if (config.blobs.store === 's3' && s3) {
    return new S3BlobStore({ ...s3, tmpDir: path.join(config.dataDir, 'tmp', 's3-uploads'), ...(log ? { log } : {}) }).init();
  }
  return new FileBlobStore(path.join(config.dataDir, 'blobs')).init();
}
