import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { FileBlobStore } from '../../../src/store/file-blob-store.js';
import { addDomain } from '../../../src/identity/domains.js';
import { addAccount, type Account } from '../../../src/identity/accounts.js';
import { createDefaultMailboxes } from '../../../src/mail/mailboxes.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { runImport, type ImportMapping } from '../../../src/import/import-run.js';
import type { ImapSource } from '../../../src/import/imap-import.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { writeFileSync } from 'node:fs';
import { runCli } from '../../support/cli.js';

const PASSWORD = 'mat-khau-cu-rat-dai-2019';
let old: TestEnv;
let oldServer: RunningServer;
let target: TestEnv;
let db: Db;
let blobs: FileBlobStore;
let an: Account;
let ha: Account;

const source = (user: string, password = PASSWORD): ImapSource => ({ host: '127.0.0.1', port: oldServer.ports.imap!, secure: false, tlsVerify: false, user, password });
const oldClient = async (user: string) => {
  const c = new ImapFlow({ host: '127.0.0.1', port: oldServer.ports.imap!, secure: false, auth: { user, pass: PASSWORD }, tls: { rejectUnauthorized: false }, logger: false });
  await c.connect();
  return c;
};
const raw = (subject: string, body = 'Nội dung') =>
  `From: Lê Văn Bình <binhlv@old.gov.vn>\r\nTo: annv@old.gov.vn\r\nSubject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=\r\nDate: Tue, 05 Mar 2024 09:00:00 +0700\r\nMessage-ID: <${subject.length}.${Math.random()}@old.gov.vn>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`;

interface Row { folder: string; subject: string | null; flags: string[]; internal_date: Date; size: number }
const copied = async (accountId: number): Promise<Row[]> =>
  (await db.query<Row>(
    `SELECT mb.name AS folder, m.subject, m.flags, m.internal_date, m.size FROM messages m JOIN mailboxes mb ON mb.id = m.mailbox_id
      WHERE mb.account_id = $1 ORDER BY mb.name, m.internal_date`,
    [accountId],
  )).rows;

beforeAll(async () => {
  old = await createTestEnv();
  oldServer = await old.start({}, ['imap']);
  await addTestDomain(oldServer.runtime.db, 'old.gov.vn');
  await addTestAccount(oldServer.runtime.db, oldServer.runtime.config, 'annv@old.gov.vn', { password: PASSWORD });
  await addTestAccount(oldServer.runtime.db, oldServer.runtime.config, 'hadtt@old.gov.vn', { password: PASSWORD });
  const c = await oldClient('annv@old.gov.vn');
  await c.mailboxCreate('Thư đã gửi');
  await c.mailboxCreate(['Dự án', '2024']);
  await c.append('INBOX', raw('Giấy mời họp'), ['\\Seen', '\\Flagged'], new Date('2024-03-05T02:00:00Z'));
  await c.append('INBOX', raw('Báo cáo tháng 3'), ['$Important'], new Date('2024-03-06T02:00:00Z'));
  await c.append('Thư đã gửi', raw('Trả lời: Giấy mời'), ['\\Seen', '\\Answered'], new Date('2024-03-07T02:00:00Z'));
  await c.append('Sent', raw('Công văn đi'), ['\\Seen'], new Date('2024-03-08T02:00:00Z'));
  await c.append('Dự án/2024', raw('Dự toán', 'x'.repeat(70_000)), [], new Date('2024-01-02T02:00:00Z'));
  await c.logout();

  target = await createTestEnv();
  db = createPool(target.databaseUrl, 6);
  await migrate(db);
  blobs = await new FileBlobStore(path.join(target.dir, 'blobs')).init();
  await addDomain(db, 'yenbai.gov.vn', { selector: 'test', privateKeyPem: '', publicKeyPem: '' });
  an = await addAccount(db, { address: 'annv@yenbai.gov.vn', quotaBytes: 0 });
  ha = await addAccount(db, { address: 'hadtt@yenbai.gov.vn', quotaBytes: 0 });
  for (const a of [an, ha]) await createDefaultMailboxes(db, a.id);
}, 120_000);

afterAll(async () => {
  await db?.end();
  await old?.stop();
  await target?.stop();
});

const mapping = (account: Account, user: string, password = PASSWORD): ImportMapping => ({ accountId: account.id, address: account.address, source: source(user, password) });

describe('hopthu import imap', () => {
  it('copies every folder with flags and internal dates, special folders by SPECIAL-USE or by name, and reports a refused login', { timeout: 120_000 }, async () => {
    const results = await runImport(db, blobs, silentLogger, [mapping(an, 'annv@old.gov.vn'), mapping(ha, 'hadtt@old.gov.vn', 'sai mật khẩu')], { parallel: 2, actor: 'cli:test' });
    expect(results[0]).toMatchObject({ address: 'annv@yenbai.gov.vn', copied: 5 });
    expect(results[1]!.error).toBeDefined();
    const rows = await copied(an.id);
    const view = rows.map((r) => [r.folder, r.subject, [...r.flags].sort(), r.internal_date.toISOString()]);
    expect(view).toEqual([
      ['Dự án/2024', 'Dự toán', [], '2024-01-02T02:00:00.000Z'],
      ['INBOX', 'Giấy mời họp', ['\\Flagged', '\\Seen'], '2024-03-05T02:00:00.000Z'],
      ['INBOX', 'Báo cáo tháng 3', ['$Important'], '2024-03-06T02:00:00.000Z'],
      // "Thư đã gửi" and the old server's \Sent folder both land in Sent
      ['Sent', 'Trả lời: Giấy mời', ['\\Answered', '\\Seen'], '2024-03-07T02:00:00.000Z'],
      ['Sent', 'Công văn đi', ['\\Seen'], '2024-03-08T02:00:00.000Z'],
    ]);
    // byte for byte: the 70 KB message has its exact size
    expect(rows[0]!.size).toBeGreaterThan(70_000);
    const audit = await db.query<{ action: string; target: string }>("SELECT action, target FROM audit_events WHERE action LIKE 'import.%' ORDER BY target");
    expect(audit.rows).toEqual([{ action: 'import.imap', target: 'annv@yenbai.gov.vn' }, { action: 'import.imap.failure', target: 'hadtt@yenbai.gov.vn' }]);
  });

  it('a second run copies nothing; after new mail on the old server, only that', { timeout: 120_000 }, async () => {
    expect((await runImport(db, blobs, silentLogger, [mapping(an, 'annv@old.gov.vn')], { parallel: 1, actor: 'cli:test' }))[0]!.copied).toBe(0);
    const c = await oldClient('annv@old.gov.vn');
    await c.append('INBOX', raw('Thông báo mới'), [], new Date('2024-04-01T02:00:00Z'));
    await c.logout();
    expect((await runImport(db, blobs, silentLogger, [mapping(an, 'annv@old.gov.vn')], { parallel: 1, actor: 'cli:test' }))[0]!.copied).toBe(1);
    const inbox = (await copied(an.id)).filter((r) => r.folder === 'INBOX').map((r) => r.subject);
    expect(inbox).toEqual(['Giấy mời họp', 'Báo cáo tháng 3', 'Thông báo mới']);
    // the account whose login failed is finished by running the import again with the right password
    expect((await runImport(db, blobs, silentLogger, [mapping(ha, 'hadtt@old.gov.vn')], { parallel: 1, actor: 'cli:test' }))[0]).toMatchObject({ copied: 0 });
  });

  it('hopthu import imap reads the account map (CSV) and prints one line per account', { timeout: 120_000 }, async () => {
    const map = path.join(target.dir, 'accounts.csv');
    // as Excel saves it: BOM, semicolons
    writeFileSync(map, `\ufeffaddress;user;password\r\nhadtt@yenbai.gov.vn;hadtt@old.gov.vn;${PASSWORD}\r\n`);
    const env = { DATABASE_URL: target.databaseUrl, HOPTHU_DATA_DIR: path.join(target.dir, 'data') };
    const run = await runCli(['import', 'imap', '--from', `imap://127.0.0.1:${oldServer.ports.imap}`, '--map', map, '--insecure'], env);
    // not a terminal: one progress line per folder (INBOX and the five special ones)
    expect(run.stderr.trim().split('\n')).toHaveLength(6);
    expect(run.stderr).toContain('hadtt@yenbai.gov.vn: INBOX → INBOX 0 copied, 0 in the folder\n');
    expect(run.stdout).toMatch(/hadtt@yenbai\.gov\.vn\s+\d+\s+0\s+ok/);
    expect(run.code).toBe(0);
    const bad = await runCli(['import', 'imap', '--from', 'pop3://127.0.0.1', '--map', map], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/must be imaps:\/\/ or imap:\/\//);
  });
});
