import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { simpleParser } from 'mailparser';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually, messagesIn } from '../../support/fixtures.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';

const PASSWORD = 'mat-khau-dai-12345';
let env: TestEnv;
let server: RunningServer;
let an: Account;
let full: Account;

beforeAll(async () => {
  env = await createTestEnv();
  // retry every 0.6 s and give up after 3 s, so the whole story fits in a test
  server = await env.start({ 'delivery.retryMinutes': [0.01], 'delivery.maxQueueHours': 3 / 3600 });
  await addTestDomain(server.runtime.db, 'yenbai.gov.vn');
  an = await addTestAccount(server.runtime.db, server.runtime.config, 'annv@yenbai.gov.vn', { password: PASSWORD });
  full = await addTestAccount(server.runtime.db, server.runtime.config, 'vanthu@yenbai.gov.vn', { quotaBytes: 6000 });
});

afterAll(async () => {
  await env?.stop();
});

describe('a full mailbox', () => {
  it('defers with 4.2.2, retries, then bounces to the sender', async () => {
    await nodemailer
      .createTransport({ host: '127.0.0.1', port: server.ports.submission!, tls: { rejectUnauthorized: false }, auth: { user: 'annv@yenbai.gov.vn', pass: PASSWORD } })
      .sendMail({ from: 'annv@yenbai.gov.vn', to: 'vanthu@yenbai.gov.vn', subject: 'Tài liệu lớn', text: 'x'.repeat(8000) });
    const deferred = await eventually(async () => {
      const { rows } = await server.runtime.db.query<{ attempts: number; last_code: string }>(
        "SELECT attempts, last_code FROM spool_recipients WHERE recipient = 'vanthu@yenbai.gov.vn' AND attempts >= 2",
      );
      return rows[0];
    }, 10_000, 'two deferred attempts');
    expect(deferred.last_code).toBe('4.2.2');
    const bounce = await eventually(async () => (await messagesIn(server.runtime.db, an.id)).find((m) => /không gửi được|Undelivered|delivery/i.test(m.subject ?? '')), 15_000, 'the bounce');
    const report = (await server.runtime.blobs.read(bounce.blobHash)).toString('utf8');
    expect(report).toMatch(/Final-Recipient: rfc822;\s*vanthu@yenbai\.gov\.vn/i);
    expect(report).toMatch(/Status: 4\.2\.2/);
    expect(report).toMatch(/Action: failed/);
    const parsed = await simpleParser(Buffer.from(report));
    expect(parsed.text).toMatch(/vanthu@yenbai\.gov\.vn/);
    expect(await messagesIn(server.runtime.db, full.id)).toEqual([]);
  });

  it('is refused at RCPT with 452 4.2.2 once it is over quota', async () => {
    const { rows } = await server.runtime.db.query<{ id: number }>("SELECT id FROM mailboxes WHERE account_id = $1 AND name = 'INBOX'", [full.id]);
    await server.runtime.db.query('UPDATE mailboxes SET total_bytes = 7000 WHERE id = $1', [rows[0]!.id]);
    const err = await nodemailer
      .createTransport({ host: '127.0.0.1', port: server.ports.mx!, tls: { rejectUnauthorized: false } })
      .sendMail({ from: 'x@example.test', to: 'vanthu@yenbai.gov.vn', subject: 'x', text: 'x' })
      .then(() => undefined, (e: { responseCode: number; response: string }) => e);
    expect(err?.responseCode).toBe(452);
    expect(err?.response).toMatch(/^452 4\.2\.2 the mailbox <vanthu@yenbai\.gov\.vn> is full/);
  });
});
