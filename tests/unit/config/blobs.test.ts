import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';

const s3Env = {
  HOPTHU_BLOBS__STORE: 's3',
  HOPTHU_BLOBS__S3__ENDPOINT: 'https://minio.tinh.gov.vn:9000',
  HOPTHU_BLOBS__S3__BUCKET: 'hopthu-blobs',
  HOPTHU_BLOBS__S3__ACCESS_KEY_ID: 'hopthu',
  HOPTHU_BLOBS__S3__SECRET_ACCESS_KEY: 'bi-mat-rat-dai',
};

describe('configuration: blobs', () => {
  it('blobs up to 128 KiB are kept in PostgreSQL, larger ones are files under the data directory, 64 MiB of recent ones in memory, unless configured otherwise', () => {
    expect(loadConfig({ env: {} }).blobs).toEqual({ store: 'file', inlineMaxBytes: 131072, cacheMegabytes: 64 });
    expect(loadConfig({ env: { HOPTHU_BLOBS__INLINE_MAX_BYTES: '0', HOPTHU_BLOBS__CACHE_MEGABYTES: '0' } }).blobs).toEqual({ store: 'file', inlineMaxBytes: 0, cacheMegabytes: 0 });
  });

  it('blobs.s3 from the environment, the secret key included, with defaults for the rest', () => {
    expect(loadConfig({ env: s3Env }).blobs).toEqual({
      store: 's3',
      s3: { endpoint: 'https://minio.tinh.gov.vn:9000', region: 'us-east-1', bucket: 'hopthu-blobs', prefix: '', accessKeyId: 'hopthu', secretAccessKey: 'bi-mat-rat-dai', forcePathStyle: true },
      inlineMaxBytes: 131072,
      cacheMegabytes: 64,
    });
  });

  it('blobs.store s3 without blobs.s3 says what to set', () => {
    expect(() => loadConfig({ env: { HOPTHU_BLOBS__STORE: 's3' } })).toThrowError(
      /blobs\.s3: blobs\.store is "s3": set blobs\.s3\.endpoint, bucket, accessKeyId and secretAccessKey/,
    );
  });

  it.each([
    ['HOPTHU_BLOBS__STORE', 'ceph', /blobs\.store = "ceph": .*"file".*"s3"/],
    ['HOPTHU_BLOBS__S3__ENDPOINT', 'minio:9000', /blobs\.s3\.endpoint = "minio:9000": an http:\/\/ or https:\/\/ URL without a path/],
    ['HOPTHU_BLOBS__S3__ENDPOINT', 'https://minio/hopthu', /blobs\.s3\.endpoint = "https:\/\/minio\/hopthu": an http:\/\/ or https:\/\/ URL without a path/],
    ['HOPTHU_BLOBS__S3__BUCKET', 'Hop_Thu', /blobs\.s3\.bucket = "Hop_Thu": a bucket name: 3-63 lower-case letters, digits, dots and hyphens/],
    ['HOPTHU_BLOBS__S3__PREFIX', 'mail', /blobs\.s3\.prefix = "mail": empty, or a path ending in "\/" such as "hopthu\/"/],
    ['HOPTHU_BLOBS__S3__SECRET_ACCESS_KEY', '', /blobs\.s3\.secretAccessKey/],
    ['HOPTHU_BLOBS__INLINE_MAX_BYTES', '-1', /blobs\.inlineMaxBytes/],
    ['HOPTHU_BLOBS__INLINE_MAX_BYTES', '5000000', /blobs\.inlineMaxBytes/],
    ['HOPTHU_BLOBS__CACHE_MEGABYTES', '-8', /blobs\.cacheMegabytes/],
  ])('%s=%s is refused, naming the key and what is allowed', (name, value, message) => {
    expect(() => loadConfig({ env: { ...s3Env, [name]: value } })).toThrowError(message);
  });
});
