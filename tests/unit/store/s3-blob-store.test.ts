import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { S3BlobStore, type S3BlobStoreOptions } from '../../../src/store/s3-blob-store.js';
import { S3Client } from '../../../src/store/s3-client.js';
import { BlobStoreError } from '../../../src/store/blob-store.js';
import { startS3Server, type TestS3Server } from '../../support/s3-server.js';
import { freePort } from '../../support/ports.js';
import { blobStoreConformance } from './blob-store-conformance.js';

let s3: TestS3Server;
let tmp: string;
let store: S3BlobStore;
const fastRetry = { attempts: 3, baseDelayMs: 20, timeoutMs: 5000 };
const optionsFor = (over: Partial<S3BlobStoreOptions> = {}): S3BlobStoreOptions => ({
  endpoint: s3.endpoint,
  region: s3.region,
  bucket: s3.bucket,
  prefix: 'mail/',
  accessKeyId: s3.accessKeyId,
  secretAccessKey: s3.secretAccessKey,
  forcePathStyle: true,
  tmpDir: tmp,
  retry: fastRetry,
  ...over,
});

beforeAll(async () => {
  s3 = await startS3Server();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'hopthu-s3-tmp-'));
  store = await new S3BlobStore(optionsFor()).init();
});
afterAll(async () => {
  await s3?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

blobStoreConformance('S3 blob store', () => store, () => new S3BlobStore(optionsFor()));

/** the requests the server saw while `run` ran */
async function requestsDuring(run: () => Promise<unknown>) {
  const before = s3.requests.length;
  await run().catch(() => {});
  return s3.requests.slice(before);
}

describe('S3 blob store', () => {
  it('keeps a blob as <prefix><ab>/<sha256> in the bucket, byte for byte, and no temporary file', async () => {
    const bytes = Buffer.concat([Buffer.from('Subject: Giấy mời họp\r\n\r\n'), randomBytes(3 * 1024 * 1024)]);
    const { hash } = await store.put([bytes]);
    expect(store.keyOf(hash)).toBe(`mail/${hash.slice(0, 2)}/${hash}`);
    expect((await s3.keys('mail/')).includes(`mail/${hash.slice(0, 2)}/${hash}`)).toBe(true);
    expect((await s3.object(`mail/${hash.slice(0, 2)}/${hash}`))!.equals(bytes)).toBe(true);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('sends the content with Content-Length, Content-MD5 and x-amz-content-sha256, so that S3 checks every byte', async () => {
    const bytes = randomBytes(2 * 1024 * 1024 + 3);
    const seen = await requestsDuring(() => store.put([bytes]));
    const put = seen.find((r) => r.method === 'PUT')!;
    expect(put.headers['content-length']).toBe(String(bytes.length));
    expect(put.headers['content-md5']).toBe(createHash('md5').update(bytes).digest('base64'));
    expect(put.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(put.path).toMatch(/^\/hopthu\/mail\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
  });

  it('asks first (HEAD) and does not send content the bucket already holds', async () => {
    const bytes = Buffer.from(`Thông báo ${randomBytes(8).toString('hex')}`);
    const first = await requestsDuring(() => store.put([bytes]));
    expect(first.map((r) => r.method)).toEqual(['HEAD', 'PUT']);
    const second = await requestsDuring(() => store.put([bytes]));
    expect(second.map((r) => r.method)).toEqual(['HEAD']);
  });

  it('a large put whose source fails sends nothing and leaves no temporary file', async () => {
    const failing = (async function* () {
      yield randomBytes(3 * 1024 * 1024);
      throw new Error('client went away');
    })();
    const seen = await requestsDuring(() => store.put(failing));
    expect(seen).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('reads a just-written small blob from memory, the first reader being delivery', async () => {
    const bytes = Buffer.from(`From: a@b\r\nSubject: mới\r\n\r\n${randomBytes(8).toString('hex')}`);
    const { hash } = await store.put([bytes]);
    const seen = await requestsDuring(async () => {
      expect((await store.read(hash)).equals(bytes)).toBe(true);
      expect((await store.readRange(hash, 0, 4)).toString()).toBe('From');
    });
    expect(seen).toEqual([]);
  });

  it('a wrong secret key: the put fails at once, naming the bucket, the key and the keys to check', async () => {
    const wrong = new S3BlobStore(optionsFor({ secretAccessKey: 'not-the-secret' }));
    const bytes = Buffer.from('xin chào');
    const hash = createHash('sha256').update(bytes).digest('hex');
    let error: unknown;
    const seen = await requestsDuring(async () => {
      error = await wrong.put([bytes]).catch((err: unknown) => err);
    });
    expect(error).toBeInstanceOf(BlobStoreError);
    expect((error as BlobStoreError).code).toBe('blob-store-denied');
    expect((error as Error).message).toBe(
      `S3 refused HEAD s3://hopthu/mail/${hash.slice(0, 2)}/${hash} (403 Forbidden); check blobs.s3.accessKeyId, blobs.s3.secretAccessKey and the bucket's permissions`,
    );
    // a refusal is not tried again
    expect(seen.length).toBe(1);
    const read = await wrong.read(hash).catch((err: Error) => err);
    expect((read as Error).message).toMatch(/^S3 refused GET s3:\/\/hopthu\/mail\/.* \(403 SignatureDoesNotMatch: The request signature we calculated does not match/);
    await expect(wrong.init()).rejects.toThrow(/^the blob store's bucket "hopthu" at http:\/\/127\.0\.0\.1:\d+ cannot be reached: S3 refused HEAD s3:\/\/hopthu\/ \(403/);
  });

  it('a busy server (503) is asked again with backoff, and the put succeeds', async () => {
    s3.failNext(2);
    const bytes = Buffer.from(`retry ${randomBytes(8).toString('hex')}`);
    const seen = await requestsDuring(() => store.put([bytes]));
    expect(seen.map((r) => r.method)).toEqual(['HEAD', 'HEAD', 'HEAD', 'PUT']);
    expect(await store.has(createHash('sha256').update(bytes).digest('hex'))).toBe(true);
  });

  it('a large upload refused for now (503) is sent again whole, from its temporary file', async () => {
    s3.failNext(1, 'PUT');
    const bytes = randomBytes(2 * 1024 * 1024);
    const hash = createHash('sha256').update(bytes).digest('hex');
    const seen = await requestsDuring(() => store.put([bytes]));
    expect(seen.map((r) => r.method)).toEqual(['HEAD', 'PUT', 'PUT']);
    expect((await s3.object(store.keyOf(hash)))!.equals(bytes)).toBe(true);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('a server that stays busy: a clear error after the bounded retries', async () => {
    s3.failNext(3);
    const hash = createHash('sha256').update('x').digest('hex');
    await expect(store.has(hash)).rejects.toThrow(`S3 answered HEAD s3://hopthu/mail/${hash.slice(0, 2)}/${hash} with 503 Service Unavailable after 3 attempts`);
  });

  it('a server that is down: tried again, then a clear error naming the service, bucket and key', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const down = new S3BlobStore(optionsFor({ endpoint }));
    const bytes = Buffer.from('không ai nghe');
    const hash = createHash('sha256').update(bytes).digest('hex');
    const started = Date.now();
    const error = (await down.put([bytes]).catch((err: unknown) => err)) as BlobStoreError;
    expect(error.code).toBe('blob-store-unreachable');
    expect(error.message).toMatch(new RegExp(`^the S3 service at ${endpoint} did not answer HEAD s3://hopthu/mail/${hash.slice(0, 2)}/${hash} after 3 attempts: ECONNREFUSED`));
    // two waits of about 20 and 40 ms between the three tries
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    await expect(down.init()).rejects.toThrow(/^the blob store's bucket "hopthu" at .* cannot be reached: the S3 service .* did not answer HEAD s3:\/\/hopthu\/ after 3 attempts: ECONNREFUSED/);
  });

  it('refuses to start on a bucket that does not exist', async () => {
    const missing = new S3BlobStore(optionsFor({ bucket: 'khong-co' }));
    await expect(missing.init()).rejects.toThrow(/^the blob store's bucket "khong-co" at http:\/\/127\.0\.0\.1:\d+ cannot be reached: the bucket "khong-co" does not exist at http:\/\/127\.0\.0\.1:\d+ \(HEAD s3:\/\/khong-co\/\)$/);
  });

  it('addresses a bucket path-style or virtual-hosted', () => {
    const location = { endpoint: 'https://s3.tinh.gov.vn:9000', region: 'us-east-1', bucket: 'hopthu', accessKeyId: 'a', secretAccessKey: 's' };
    expect(new S3Client({ ...location, forcePathStyle: true }).urlOf('mail/ab/x')).toEqual({ url: 'https://s3.tinh.gov.vn:9000/hopthu/mail/ab/x', host: 's3.tinh.gov.vn:9000', path: '/hopthu/mail/ab/x' });
    expect(new S3Client({ ...location, forcePathStyle: false }).urlOf('mail/ab/x')).toEqual({ url: 'https://hopthu.s3.tinh.gov.vn:9000/mail/ab/x', host: 'hopthu.s3.tinh.gov.vn:9000', path: '/mail/ab/x' });
    expect(new S3Client({ ...location, forcePathStyle: false }).urlOf()).toEqual({ url: 'https://hopthu.s3.tinh.gov.vn:9000/', host: 'hopthu.s3.tinh.gov.vn:9000', path: '/' });
  });
});
