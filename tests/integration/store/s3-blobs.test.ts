import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { ImapFlow } from 'imapflow';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually, messagesIn, rawMessage } from '../../support/fixtures.js';
import { startS3Server, type TestS3Server } from '../../support/s3-server.js';
import { runCli } from '../../support/cli.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';
import { S3BlobStore } from '../../../src/store/s3-blob-store.js';
import type { InlineBlobStore } from '../../../src/store/inline-blob-store.js';
import { backupTo } from '../../../src/backup/backup.js';
import { blobPathIn } from '../../../src/backup/manifest.js';
import { restoreFrom } from '../../../src/backup/restore.js';
import { createPool } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';

let env: TestEnv;
let s3: TestS3Server;
let server: RunningServer;
let an: Account;
const password = 'mat-khau-that-dai-2026';
/** what IMAP gave for each blob, by hash */
const bodies = new Map<string, Buffer>();
const objectKey = (prefix: string, hash: string) => `${prefix}${hash.slice(0, 2)}/${hash}`;

beforeAll(async () => {
  env = await createTestEnv();
  s3 = await startS3Server();
  server = await env.start(
    {
      'blobs.store': 's3',
      'blobs.s3.endpoint': s3.endpoint,
      'blobs.s3.bucket': s3.bucket,
      'blobs.s3.prefix': 'yenbai/',
      'blobs.s3.accessKeyId': s3.accessKeyId,
      'blobs.s3.secretAccessKey': s3.secretAccessKey,
    },
    ['smtp', 'worker', 'imap'],
  );
  await addTestDomain(server.runtime.db, 'yenbai.gov.vn');
  an = await addTestAccount(server.runtime.db, server.runtime.config, 'annv@yenbai.gov.vn', { password });
});
afterAll(async () => {
  await env?.stop();
  await s3?.stop();
});

describe('a server whose blobs are in an S3 bucket (smtp + worker + imap)', () => {
  it('mail sent over SMTP is read back over IMAP byte for byte; a large body is an object in the bucket, a small one a row in PostgreSQL', async () => {
    // one message under blobs.inlineMaxBytes (kept in PostgreSQL), one that goes to the bucket through a file
    const small = rawMessage({ from: 'vanphong@example.test', to: ['annv@yenbai.gov.vn'], subject: 'Giấy mời họp' });
    const large = rawMessage({
      from: 'vanphong@example.test',
      to: ['annv@yenbai.gov.vn'],
      subject: 'Báo cáo quý',
      body: (randomBytes(1_200_000).toString('base64').match(/.{1,76}/g) ?? []).join('\r\n'),
    });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.ports.mx!, tls: { rejectUnauthorized: false } });
    for (const raw of [small, large]) await transport.sendMail({ envelope: { from: 'vanphong@example.test', to: ['annv@yenbai.gov.vn'] }, raw });
    transport.close();
    const stored = await eventually(async () => {
      const rows = await messagesIn(server.runtime.db, an.id);
      return rows.length === 2 ? rows : undefined;
    }, 20_000, 'both deliveries');

    const imap = new ImapFlow({ host: '127.0.0.1', port: server.ports.imap!, secure: false, doSTARTTLS: false, auth: { user: 'annv@yenbai.gov.vn', pass: password }, logger: false });
    await imap.connect();
    const sources = new Map<number, Buffer>();
    try {
      await imap.mailboxOpen('INBOX');
      for await (const m of imap.fetch('1:*', { uid: true, source: true })) sources.set(m.uid, m.source!);
    } finally {
      await imap.logout();
    }
    for (const [row, sent] of [[stored[0]!, small], [stored[1]!, large]] as const) {
      const source = sources.get(row.uid)!;
      // hopthu puts its trace headers on top and changes nothing else
      expect(source.subarray(source.length - Buffer.byteLength(sent)).toString()).toBe(sent);
      bodies.set(row.blobHash, source);
    }
    // the large blob is an object <prefix><ab>/<sha256> holding exactly what IMAP gave; the small one is not in the bucket
    const [smallRow, largeRow] = [stored[0]!, stored[1]!];
    expect((await s3.object(objectKey('yenbai/', largeRow.blobHash)))!.equals(sources.get(largeRow.uid)!)).toBe(true);
    expect(await s3.object(objectKey('yenbai/', smallRow.blobHash))).toBeUndefined();
    const { rows } = await server.runtime.db.query<{ bytes: Buffer }>('SELECT bytes FROM blob_contents WHERE hash = $1', [smallRow.blobHash]);
    expect(rows[0]!.bytes.equals(sources.get(smallRow.uid)!)).toBe(true);
    // nothing went to the file store
    expect(existsSync(path.join(server.runtime.config.dataDir, 'blobs'))).toBe(false);
    expect((server.runtime.blobs as InlineBlobStore).larger).toBeInstanceOf(S3BlobStore);
  });

  it('hopthu backup copies every referenced blob, out of the bucket or PostgreSQL, checked against its name', async () => {
    const dir = path.join(env.dir, 'backup');
    const { manifest } = await backupTo(server.runtime.db, server.runtime.blobs, dir);
    const rows = await messagesIn(server.runtime.db, an.id);
    expect(manifest.blobs.count).toBe(rows.length);
    for (const row of rows) expect(readFileSync(blobPathIn(dir, row.blobHash)).equals(bodies.get(row.blobHash)!)).toBe(true);
  });

  it('hopthu restore puts the blobs of a backup into a bucket, byte for byte', async () => {
    const target = await createTestEnv();
    const db = createPool(target.databaseUrl, 2);
    try {
      await migrate(db);
      const store = await new S3BlobStore({
        endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket, prefix: 'restored/', accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey, forcePathStyle: true, tmpDir: path.join(target.dir, 'tmp'),
      }).init();
      const restored = await restoreFrom(db, store, path.join(env.dir, 'backup'), 'test');
      const rows = await messagesIn(server.runtime.db, an.id);
      expect(restored.blobs).toBe(rows.length);
      for (const row of rows) expect((await s3.object(objectKey('restored/', row.blobHash)))!.equals(bodies.get(row.blobHash)!)).toBe(true);
    } finally {
      await db.end();
      await target.stop();
    }
  });

  it('a server refuses to start when its bucket cannot be reached, saying so', async () => {
    await expect(
      env.start({
        'blobs.store': 's3',
        'blobs.s3.endpoint': s3.endpoint,
        'blobs.s3.bucket': 'khong-co-bucket',
        'blobs.s3.accessKeyId': s3.accessKeyId,
        'blobs.s3.secretAccessKey': s3.secretAccessKey,
      }, ['imap']),
    ).rejects.toThrow(`the blob store's bucket "khong-co-bucket" at ${s3.endpoint} cannot be reached: the bucket "khong-co-bucket" does not exist at ${s3.endpoint} (HEAD s3://khong-co-bucket/)`);
  });

  it('hopthu start with a wrong secret key in the environment stops at once and says why', async () => {
    const result = await runCli(['start', '--roles', 'imap'], {
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redis.url,
      HOPTHU_DATA_DIR: path.join(env.dir, 'cli-data'),
      HOPTHU_LISTEN_HOST: '127.0.0.1',
      HOPTHU_PORTS__IMAP: '0',
      HOPTHU_PORTS__IMAPS: '0',
      HOPTHU_PORTS__HEALTH: '0',
      HOPTHU_BLOBS__STORE: 's3',
      HOPTHU_BLOBS__S3__ENDPOINT: s3.endpoint,
      HOPTHU_BLOBS__S3__BUCKET: s3.bucket,
      HOPTHU_BLOBS__S3__ACCESS_KEY_ID: s3.accessKeyId,
      HOPTHU_BLOBS__S3__SECRET_ACCESS_KEY: 'sai-khoa-bi-mat',
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `hopthu: the blob store's bucket "hopthu" at ${s3.endpoint} cannot be reached: S3 refused HEAD s3://hopthu/ (403 Forbidden); check blobs.s3.accessKeyId, blobs.s3.secretAccessKey and the bucket's permissions`,
    );
  });
});
