/**
 * A fresh database (migrated), a blob store in a temporary folder and helpers to make
 * accounts and store messages: the mail store tested without starting a server.
 */
import path from 'node:path';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { FileBlobStore } from '../../../src/store/file-blob-store.js';
import { addDomain } from '../../../src/identity/domains.js';
import { addAccount, type Account } from '../../../src/identity/accounts.js';
import { createDefaultMailboxes, findMailbox, type Mailbox } from '../../../src/mail/mailboxes.js';
import { appendFromClient, type AppendResult } from '../../../src/mail/imap-append.js';

export interface MailEnv {
  env: TestEnv;
  db: Db;
  blobs: FileBlobStore;
  /** an account with the default folders */
  account(local: string, quotaBytes?: number): Promise<Account>;
  mailbox(accountId: number, name: string): Promise<Mailbox>;
  /** writes the message to the blob store: what the IMAP layer does before APPEND */
  put(raw: string | Buffer): Promise<{ hash: string; size: number }>;
  append(mailboxId: number, raw: string | Buffer, options?: { flags?: string[]; internalDate?: Date }): Promise<AppendResult>;
  stop(): Promise<void>;
}

export async function createMailEnv(poolSize = 8): Promise<MailEnv> {
  const env = await createTestEnv();
  const db = createPool(env.databaseUrl, poolSize);
  await migrate(db);
  const blobs = await new FileBlobStore(path.join(env.dir, 'blobs')).init();
  await addDomain(db, 'yenbai.gov.vn', { selector: 'test', privateKeyPem: '', publicKeyPem: '' });
  const me: MailEnv = {
    env,
    db,
    blobs,
    async account(local, quotaBytes = 0) {
      const account = await addAccount(db, { address: `${local}@yenbai.gov.vn`, quotaBytes });
      await createDefaultMailboxes(db, account.id);
      return account;
    },
    async mailbox(accountId, name) {
      const m = await findMailbox(db, accountId, name);
      if (!m) throw new Error(`no folder ${name}`);
      return m;
    },
    async put(raw) {
      return blobs.put([Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8')]);
    },
    async append(mailboxId, raw, options = {}) {
      const blob = await me.put(raw);
      return appendFromClient(db, blobs, {
        mailboxId,
        quota: null,
        messages: [{ blobHash: blob.hash, size: blob.size, flags: options.flags ?? [], internalDate: options.internalDate ?? new Date() }],
      });
    },
    async stop() {
      await db.end();
      await env.stop();
    },
  };
  return me;
}

/** A small RFC 5322 message, CRLF line ends, UTF-8 body. */
export function message(opts: { subject?: string; from?: string; to?: string; body?: string; date?: string; headers?: string[] } = {}): string {
  return [
    `From: ${opts.from ?? 'Nguyễn Văn An <annv@yenbai.gov.vn>'}`,
    `To: ${opts.to ?? 'hadtt@yenbai.gov.vn'}`,
    `Subject: ${opts.subject ?? 'Giấy mời họp'}`,
    `Date: ${opts.date ?? 'Mon, 04 Mar 2024 08:15:02 +0700'}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@yenbai.gov.vn>`,
    ...(opts.headers ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    opts.body ?? 'Kính gửi các đồng chí,',
    '',
  ].join('\r\n');
}
