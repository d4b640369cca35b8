import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { startDovecot, type TestDovecot } from '../../support/dovecot.js';
import { freePort } from '../../support/ports.js';
import { runCli, type CliResult } from '../../support/cli.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { runImport, type ImportMapping } from '../../../src/import/import-run.js';
import { importAccount } from '../../../src/import/imap-import.js';
import { listMailboxes } from '../../../src/mail/mailboxes.js';
import { silentLogger } from '../../../src/shared/logger.js';

/*
 * `hopthu import imap` against a real Dovecot 2.3 as the old server: Maildir, a
 * SPECIAL-USE namespace under Vietnamese names, modified UTF-7 folder names, a nested
 * folder whose parent does not exist, 8-bit headers, keywords, a 3 MB attachment and a
 * folder of a couple hundred messages; a public namespace and virtual \All/\Flagged folders
 * that are no account's own mail; and a second Dovecot in the Courier layout ("INBOX."
 * prefix, "." separator). What arrives is read back through hopthu's own IMAP server and
 * compared message by message with what Dovecot serves.
 */

const OLD_PASSWORD = 'mat-khau-cu-2019';
const NEW_PASSWORD = 'mat-khau-moi-2026';
const DOVECOT_USERS = [
  { user: 'annv@old.gov.vn', password: OLD_PASSWORD },
  { user: 'hadtt@old.gov.vn', password: OLD_PASSWORD },
  { user: 'binhlv@old.gov.vn', password: OLD_PASSWORD },
];
/** Dovecot's inbox namespace: special folders; "Đã gửi đi" and "Kho lưu" are on no list of common names, so SPECIAL-USE alone maps them */
const SPECIAL_FOLDERS = { 'Đã gửi đi': '\\Sent', Drafts: '\\Drafts', 'Thùng rác': '\\Trash', Junk: '\\Junk', 'Kho lưu': '\\Archive' };
/** Dovecot's public namespace (RFC 2342 shared): folders every user sees, none of them an account's own */
const PUBLIC_PREFIX = 'Thư mục chung/';
/** Dovecot's virtual folders (RFC 6154 \All and \Flagged): views of the messages of the other folders */
const VIRTUAL_PREFIX = 'Ảo/';
const VIRTUAL_FOLDERS = { All: { specialUse: '\\All', definition: '*\n  all\n' }, Flagged: { specialUse: '\\Flagged', definition: '*\n  flagged\n' } };
/** where each of Dovecot's folders belongs in hopthu */
const EXPECTED_TARGET: Record<string, string> = {
  INBOX: 'INBOX',
  'Đã gửi đi': 'Sent',
  'Thư đã gửi': 'Sent',
  Drafts: 'Drafts',
  'Thùng rác': 'Trash',
  Junk: 'Junk',
  'Kho lưu': 'Archive',
};

let dovecot: TestDovecot;
let target: TestEnv;
let server: RunningServer;
let env: Record<string, string>;

const oldClient = async (user: string, from = dovecot) => {
  const c = new ImapFlow({ host: from.host, port: from.port, secure: false, auth: { user, pass: OLD_PASSWORD }, logger: false });
  await c.connect();
  return c;
};
const newClient = async (user: string) => {
  const c = new ImapFlow({ host: '127.0.0.1', port: server.ports.imap!, secure: false, auth: { user, pass: NEW_PASSWORD }, tls: { rejectUnauthorized: false }, logger: false });
  await c.connect();
  return c;
};

let serial = 0;
/** A message as an old mail client wrote it; `eightBit` puts raw UTF-8 in the headers (RFC 6532), not encoded words. */
function message(subject: string, options: { eightBit?: boolean; body?: string; attachment?: Buffer } = {}): Buffer {
  serial += 1;
  const header = (s: string) => (options.eightBit ? s : `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`);
  const head = [
    `From: ${header('Lê Văn Bình')} <binhlv@old.gov.vn>`,
    `To: ${header('Nguyễn Văn An')} <annv@old.gov.vn>`,
    `Subject: ${header(subject)}`,
    `Date: Tue, 05 Mar 2024 09:${String(serial % 60).padStart(2, '0')}:00 +0700`,
    `Message-ID: <${serial}.${randomBytes(4).toString('hex')}@old.gov.vn>`,
    'MIME-Version: 1.0',
  ];
  const text = options.body ?? `Kính gửi anh An,\r\nđây là thư số ${serial}.\r\n`;
  if (!options.attachment) return Buffer.from([...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text].join('\r\n'));
  const base64 = options.attachment.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      ...head,
      'Content-Type: multipart/mixed; boundary="ranh-gioi"',
      '',
      '--ranh-gioi',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      text,
      '--ranh-gioi',
      'Content-Type: application/pdf; name="Quyet-dinh-so-15.pdf"',
      'Content-Disposition: attachment; filename="Quyet-dinh-so-15.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      base64,
      '--ranh-gioi--',
      '',
    ].join('\r\n'),
  );
}

const at = (iso: string) => new Date(iso);
/** the couple hundred messages of one folder: flags and arrival times vary */
const BULK = 200;

async function seedDovecot(): Promise<void> {
  const an = await oldClient('annv@old.gov.vn');
  for (const folder of ['Thư đã gửi', 'Dự án', 'Dự án/Đường tỉnh 151', 'Hồ sơ/2025']) await an.mailboxCreate(folder.split('/'));
  await an.append('INBOX', message('Giấy mời họp giao ban tuần', { eightBit: true }), ['\\Seen', '\\Flagged'], at('2024-03-05T02:00:00Z'));
  await an.append('INBOX', message('Quyết định số 15/QĐ-UBND', { attachment: randomBytes(3 * 1024 * 1024) }), ['\\Seen', '$Label1'], at('2024-03-06T08:30:00Z'));
  await an.append('INBOX', message('Báo cáo tháng 3'), ['\\Answered', '\\Seen', '$Forwarded'], at('2024-03-07T01:15:00Z'));
  await an.append('INBOX', message('Chưa đọc'), [], at('2024-03-08T23:59:59Z'));
  await an.append('Thư đã gửi', message('Trả lời: Giấy mời họp', { eightBit: true }), ['\\Seen'], at('2024-03-05T03:00:00Z'));
  await an.append('Thư đã gửi', message('Gửi lại báo cáo'), ['\\Seen', '\\Answered'], at('2024-03-09T03:00:00Z'));
  await an.append('Đã gửi đi', message('Công văn đi số 7'), ['\\Seen'], at('2023-12-31T17:00:00Z'));
  await an.append('Drafts', message('Dự thảo kế hoạch 2025'), ['\\Draft', '\\Seen'], at('2024-11-02T10:00:00Z'));
  await an.append('Thùng rác', message('Quảng cáo'), ['\\Seen'], at('2024-02-01T00:00:00Z'));
  await an.append('Junk', message('Trúng thưởng', { eightBit: true }), ['$Junk'], at('2024-02-02T00:00:00Z'));
  await an.append('Kho lưu', message('Hồ sơ năm 2020'), ['\\Seen', '$Label1', '$Label2'], at('2020-06-30T09:00:00Z'));
  await an.append('Dự án', message('Tổng dự toán'), ['\\Flagged'], at('2024-01-02T02:00:00Z'));
  await an.append('Hồ sơ/2025', message('Biên bản nghiệm thu', { eightBit: true }), ['\\Seen'], at('2025-01-15T04:00:00Z'));
  for (let i = 0; i < BULK; i++) {
    const flags = [i % 3 ? '\\Seen' : '', i % 17 ? '' : '\\Flagged', i % 11 ? '' : '\\Answered', i % 13 ? '' : '$Label1'].filter(Boolean);
    await an.append('Dự án/Đường tỉnh 151', message(`Tiến độ thi công, báo cáo số ${i + 1}`, { eightBit: i % 2 === 0 }), flags, new Date(Date.UTC(2024, 0, 1) + i * 3_600_000 * 7));
  }
  await an.mailboxCreate([PUBLIC_PREFIX.slice(0, -1), 'Thông báo chung']);
  await an.append(`${PUBLIC_PREFIX}Thông báo chung`, message('Lịch nghỉ Tết toàn tỉnh'), [], at('2024-01-20T01:00:00Z'));
  await an.logout();
  const ha = await oldClient('hadtt@old.gov.vn');
  await ha.mailboxCreate('Cá nhân');
  await ha.append('INBOX', message('Lịch trực Tết'), ['\\Seen'], at('2024-02-05T01:00:00Z'));
  await ha.append('Cá nhân', message('Ảnh kỷ niệm', { eightBit: true }), [], at('2023-05-19T12:00:00Z'));
  await ha.logout();
  const binh = await oldClient('binhlv@old.gov.vn');
  await binh.append('INBOX', message('Thư của anh Bình'), ['\\Seen'], at('2024-04-01T01:00:00Z'));
  await binh.logout();
}

interface Copy {
  sha256: string;
  flags: string[];
  internalDate: string;
}

/**
 * Every message of every selectable folder: digest of BODY[], flags but \Recent,
 * INTERNALDATE; grouped by `folderOf(name)` (null: left out), sorted.
 */
async function snapshot(client: ImapFlow, folderOf: (name: string) => string | null): Promise<Record<string, Copy[]>> {
  const result: Record<string, Copy[]> = {};
  for (const folder of await client.list()) {
    const into = folderOf(folder.path);
    if (folder.flags.has('\\Noselect') || folder.flags.has('\\NonExistent') || into === null) continue;
    const copies = (result[into] ??= []);
    const lock = await client.getMailboxLock(folder.path, { readOnly: true });
    try {
      if (client.mailbox && client.mailbox.exists > 0) {
        for await (const m of client.fetch('1:*', { flags: true, internalDate: true, source: true })) {
          copies.push({
            sha256: createHash('sha256').update(m.source!).digest('hex'),
            flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
            internalDate: new Date(m.internalDate!).toISOString(),
          });
        }
      }
    } finally {
      lock.release();
    }
  }
  for (const copies of Object.values(result)) copies.sort((a, b) => a.internalDate.localeCompare(b.internalDate) || a.sha256.localeCompare(b.sha256));
  for (const [name, copies] of Object.entries(result)) if (copies.length === 0) delete result[name];
  return result;
}

/** Dovecot's mailbox as hopthu should hold it (public folders are no account's own, virtual ones views), beside what hopthu holds */
async function compare(
  user: string,
  address: string,
  from = dovecot,
  folderOf = (name: string) => (name.startsWith(PUBLIC_PREFIX) || name.startsWith(VIRTUAL_PREFIX) ? null : EXPECTED_TARGET[name] ?? name),
) {
  const old = await oldClient(user, from);
  const expected = await snapshot(old, folderOf);
  await old.logout();
  const now = await newClient(address);
  const actual = await snapshot(now, (name) => name);
  await now.logout();
  return { expected, actual };
}

function writeMap(name: string, rows: Array<[string, string, string]>): string {
  const file = path.join(target.dir, name);
  writeFileSync(file, ['address,user,password', ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return file;
}

const importFrom = (map: string): Promise<CliResult> => runCli(['import', 'imap', '--from', `imap://127.0.0.1:${dovecot.port}`, '--map', map, '--parallel', '2'], env);

/** the summary table: account → [folders, copied, result] */
function summary(stdout: string): Record<string, [number, number, string]> {
  const rows: Record<string, [number, number, string]> = {};
  for (const line of stdout.trim().split('\n').slice(1)) {
    const m = /^(\S+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m) rows[m[1]!] = [Number(m[2]), Number(m[3]), m[4]!];
  }
  return rows;
}

beforeAll(async () => {
  dovecot = await startDovecot({ users: DOVECOT_USERS, specialFolders: SPECIAL_FOLDERS, publicPrefix: PUBLIC_PREFIX, virtual: { prefix: VIRTUAL_PREFIX, folders: VIRTUAL_FOLDERS } });
  await seedDovecot();
  target = await createTestEnv();
  server = await target.start({}, ['imap']);
  const { db, config } = server.runtime;
  await addTestDomain(db, 'yenbai.gov.vn');
  for (const a of ['annv', 'hadtt', 'binhlv']) await addTestAccount(db, config, `${a}@yenbai.gov.vn`, { password: NEW_PASSWORD, quotaBytes: 0 });
  env = { DATABASE_URL: target.databaseUrl, HOPTHU_DATA_DIR: path.join(target.dir, 'data') };
}, 120_000);

afterAll(async () => {
  await target?.stop();
  await dovecot?.stop();
});

describe('hopthu import imap from Dovecot', () => {
  it('copies every folder byte for byte with flags and internal dates; a refused login fails that account only', { timeout: 120_000 }, async () => {
    const map = writeMap('accounts.csv', [
      ['annv@yenbai.gov.vn', 'annv@old.gov.vn', OLD_PASSWORD],
      ['hadtt@yenbai.gov.vn', 'hadtt@old.gov.vn', OLD_PASSWORD],
      ['binhlv@yenbai.gov.vn', 'binhlv@old.gov.vn', 'mat-khau-sai'],
    ]);
    const run = await importFrom(map);
    expect(run.code, run.stderr).toBe(1);
    const table = summary(run.stdout);
    // INBOX, 5 special folders, Thư đã gửi, Dự án, Dự án/Đường tỉnh 151, Hồ sơ/2025
    expect(table['annv@yenbai.gov.vn']).toEqual([10, 13 + BULK, 'ok']);
    expect(table['hadtt@yenbai.gov.vn']).toEqual([7, 2, 'ok']);
    expect(table['binhlv@yenbai.gov.vn']!.slice(0, 2)).toEqual([0, 0]);
    expect(table['binhlv@yenbai.gov.vn']![2]).toBe(`127.0.0.1:${dovecot.port} refused the login of binhlv@old.gov.vn (Authentication failed.): check the user and password in the account map`);

    const an = await compare('annv@old.gov.vn', 'annv@yenbai.gov.vn');
    // in Dovecot's LIST but not copied: the public folder is no account's own (its namespace
    // prefix arrives in modified UTF-7), the virtual \All and \Flagged folders show the others' messages
    const old = await oldClient('annv@old.gov.vn');
    expect((await old.list()).map((f) => f.path)).toEqual(expect.arrayContaining([`${PUBLIC_PREFIX}Thông báo chung`, `${VIRTUAL_PREFIX}All`, `${VIRTUAL_PREFIX}Flagged`]));
    expect(await old.status(`${VIRTUAL_PREFIX}All`, { messages: true })).toMatchObject({ messages: 13 + BULK });
    await old.logout();
    expect(Object.keys(an.actual).sort()).toEqual(['Archive', 'Drafts', 'Dự án', 'Dự án/Đường tỉnh 151', 'Hồ sơ/2025', 'INBOX', 'Junk', 'Sent', 'Trash']);
    expect(an.actual).toEqual(an.expected);
    expect(an.actual['Dự án/Đường tỉnh 151']).toHaveLength(BULK);
    expect(an.actual.Sent).toHaveLength(3);
    const ha = await compare('hadtt@old.gov.vn', 'hadtt@yenbai.gov.vn');
    expect(ha.actual).toEqual(ha.expected);
    const binh = await newClient('binhlv@yenbai.gov.vn');
    expect(await binh.status('INBOX', { messages: true })).toMatchObject({ messages: 0 });
    await binh.logout();
  });

  it('a second run copies nothing new; it finishes the account whose password is now right', { timeout: 60_000 }, async () => {
    const map = writeMap('accounts-fixed.csv', [
      ['annv@yenbai.gov.vn', 'annv@old.gov.vn', OLD_PASSWORD],
      ['hadtt@yenbai.gov.vn', 'hadtt@old.gov.vn', OLD_PASSWORD],
      ['binhlv@yenbai.gov.vn', 'binhlv@old.gov.vn', OLD_PASSWORD],
    ]);
    const run = await importFrom(map);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const table = summary(run.stdout);
    expect(table['annv@yenbai.gov.vn']![1]).toBe(0);
    expect(table['hadtt@yenbai.gov.vn']![1]).toBe(0);
    expect(table['binhlv@yenbai.gov.vn']).toEqual([6, 1, 'ok']);
    const an = await compare('annv@old.gov.vn', 'annv@yenbai.gov.vn');
    expect(an.actual).toEqual(an.expected);
    const binh = await compare('binhlv@old.gov.vn', 'binhlv@yenbai.gov.vn');
    expect(binh.actual).toEqual(binh.expected);
  });

  it('a third run copies only the mail that arrived on Dovecot since, new folders included, and prints progress per folder', { timeout: 60_000 }, async () => {
    const an = await oldClient('annv@old.gov.vn');
    await an.append('INBOX', message('Thông báo nghỉ lễ', { eightBit: true }), [], at('2024-04-26T01:00:00Z'));
    await an.append('Đã gửi đi', message('Công văn đi số 8'), ['\\Seen'], at('2024-04-27T01:00:00Z'));
    await an.mailboxCreate(['Công văn đến', '2026']);
    await an.append('Công văn đến/2026', message('Công văn đến số 1/2026'), ['\\Flagged'], at('2026-01-05T01:00:00Z'));
    await an.logout();
    const map = writeMap('accounts-an.csv', [['annv@yenbai.gov.vn', 'annv@old.gov.vn', OLD_PASSWORD]]);
    const run = await importFrom(map);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(summary(run.stdout)['annv@yenbai.gov.vn']).toEqual([11, 3, 'ok']);
    const after = await compare('annv@old.gov.vn', 'annv@yenbai.gov.vn');
    expect(after.actual).toEqual(after.expected);
    expect(after.actual['Công văn đến/2026']).toHaveLength(1);
    // not a terminal: one line per folder, when it is done
    const progress = run.stderr.trim().split('\n');
    expect(progress).toContain('annv@yenbai.gov.vn: Công văn đến/2026 → Công văn đến/2026 1 copied, 1 in the folder');
    expect(progress).toContain('annv@yenbai.gov.vn: Đã gửi đi → Sent 1 copied, 2 in the folder');
    expect(progress).toContain('annv@yenbai.gov.vn: Dự án/Đường tỉnh 151 → Dự án/Đường tỉnh 151 0 copied, 200 in the folder');
    expect(progress).toHaveLength(11);
  });

  it('a folder deleted and made again on Dovecot (new UIDVALIDITY) is copied again without the messages already here', { timeout: 60_000 }, async () => {
    const an = await oldClient('annv@old.gov.vn');
    const before = await an.mailboxOpen('Hồ sơ/2025');
    const kept: Array<{ source: Buffer; flags: string[]; internalDate: Date }> = [];
    for await (const m of an.fetch('1:*', { flags: true, internalDate: true, source: true })) {
      kept.push({ source: m.source!, flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent'), internalDate: new Date(m.internalDate!) });
    }
    await an.mailboxClose();
    await an.mailboxDelete('Hồ sơ/2025');
    await an.mailboxCreate(['Hồ sơ', '2025']);
    for (const m of kept) await an.append('Hồ sơ/2025', m.source, m.flags, m.internalDate);
    await an.append('Hồ sơ/2025', message('Biên bản bàn giao'), [], at('2025-02-01T04:00:00Z'));
    const after = await an.status('Hồ sơ/2025', { uidValidity: true });
    await an.logout();
    expect(after && after.uidValidity).not.toBe(before.uidValidity);
    const run = await importFrom(writeMap('accounts-an.csv', [['annv@yenbai.gov.vn', 'annv@old.gov.vn', OLD_PASSWORD]]));
    expect(summary(run.stdout)['annv@yenbai.gov.vn']).toEqual([11, 1, 'ok']);
    const both = await compare('annv@old.gov.vn', 'annv@yenbai.gov.vn');
    expect(both.actual['Hồ sơ/2025']).toHaveLength(2);
    expect(both.actual).toEqual(both.expected);
  });

  it('an old server that does not answer, or does not speak TLS where imaps:// says it does, is named in a sentence', async () => {
    const { db, blobs } = server.runtime;
    const account = (await db.query<{ id: number }>("SELECT id FROM accounts WHERE address = 'hadtt@yenbai.gov.vn'")).rows[0]!;
    const nothing = await freePort();
    const results = await runImport(db, blobs, silentLogger, [
      { accountId: account.id, address: 'hadtt@yenbai.gov.vn', source: { host: '127.0.0.1', port: nothing, secure: false, tlsVerify: true, user: 'hadtt@old.gov.vn', password: OLD_PASSWORD } },
      { accountId: account.id, address: 'hadtt@yenbai.gov.vn', source: { host: '127.0.0.1', port: dovecot.port, secure: true, tlsVerify: true, user: 'hadtt@old.gov.vn', password: OLD_PASSWORD } },
    ], { parallel: 1, actor: 'cli:test' });
    expect(results[0]!.error).toBe(`nothing answers on 127.0.0.1:${nothing} (connection refused): check the host and port of --from`);
    expect(results[1]!.error).toMatch(new RegExp(`^TLS with 127\\.0\\.0\\.1:${dovecot.port} failed \\(ERR_SSL_WRONG_VERSION_NUMBER\\): imaps:// needs the port that starts TLS at once \\(993\\)`));
  });

  it('a batch holds at most its bytes (RFC822.SIZE from Dovecot): the 3 MB message is copied in a batch of its own', { timeout: 60_000 }, async () => {
    const { db, blobs, config } = server.runtime;
    const account = await addTestAccount(db, config, 'batch@yenbai.gov.vn', { password: NEW_PASSWORD, quotaBytes: 0 });
    const inbox: number[] = [];
    await importAccount(db, blobs, silentLogger, {
      accountId: account.id,
      source: { host: dovecot.host, port: dovecot.port, secure: false, tlsVerify: true, user: 'annv@old.gov.vn', password: OLD_PASSWORD },
      batchBytes: 1024 * 1024,
      onProgress: (p) => {
        if (p.folder === 'INBOX' && !p.done) inbox.push(p.copied);
      },
    });
    // INBOX in UID order: a small message, the 3 MB one, then three small ones
    expect(inbox).toEqual([1, 2, 5]);
    const both = await compare('annv@old.gov.vn', account.address);
    expect(both.actual).toEqual(both.expected);
  });

  it('a connection that breaks mid-folder fails that account with a sentence; the next run finishes without a duplicate', { timeout: 60_000 }, async () => {
    const { db, blobs, config } = server.runtime;
    const account = await addTestAccount(db, config, 'resume@yenbai.gov.vn', { password: NEW_PASSWORD, quotaBytes: 0 });
    const mapping: ImportMapping = { accountId: account.id, address: account.address, source: { host: dovecot.host, port: dovecot.port, secure: false, tlsVerify: true, user: 'annv@old.gov.vn', password: OLD_PASSWORD } };
    let killed: number[] = [];
    const [broken] = await runImport(db, blobs, silentLogger, [mapping], {
      parallel: 1,
      actor: 'cli:test',
      // after the first batch of the big folder, Dovecot's imap process for this connection dies
      onProgress: (_who, p) => {
        if (p.folder !== 'Dự án/Đường tỉnh 151' || p.done || killed.length) return;
        killed = dovecot.imapProcesses();
        for (const pid of killed) process.kill(pid, 'SIGKILL');
      },
    });
    expect(killed).toHaveLength(1);
    expect(broken!.error).toMatch(new RegExp(`^the connection to 127\\.0\\.0\\.1:${dovecot.port} broke while copying "Dự án/Đường tỉnh 151" \\(.+\\); what was copied is kept, and running the import again continues from there$`));
    // the first batch committed with its progress
    const partial = await compare('annv@old.gov.vn', account.address);
    expect(partial.actual['Dự án/Đường tỉnh 151']).toHaveLength(50);
    const [resumed] = await runImport(db, blobs, silentLogger, [mapping], { parallel: 1, actor: 'cli:test' });
    expect(resumed!.error).toBeUndefined();
    const after = await compare('annv@old.gov.vn', account.address);
    expect(after.actual).toEqual(after.expected);
  });
});

describe('hopthu import imap from a Dovecot with the Courier layout (every folder under "INBOX.")', () => {
  let courier: TestDovecot;
  const deep = Array.from({ length: 17 }, (_, i) => `Cấp ${i + 1}`);
  /** where each folder belongs in hopthu; null: cannot be held (17 levels, hopthu nests 16) */
  const courierTarget = (name: string): string | null =>
    ({
      INBOX: 'INBOX',
      'INBOX.Thư đã gửi': 'Sent',
      'INBOX.Đã gửi đi': 'Sent',
      'INBOX.Dự án.Đường tỉnh 151': 'Dự án/Đường tỉnh 151',
      'INBOX.50% xong': '50％ xong',
      'INBOX.Quan trọng*': 'Quan trọng＊',
    })[name] ?? null;

  beforeAll(async () => {
    courier = await startDovecot({ users: [{ user: 'chinhtv@old.gov.vn', password: OLD_PASSWORD }], namespace: { separator: '.', prefix: 'INBOX.' }, specialFolders: { 'Đã gửi đi': '\\Sent' } });
    const c = await oldClient('chinhtv@old.gov.vn', courier);
    for (const folder of [['Thư đã gửi'], ['Dự án', 'Đường tỉnh 151'], ['50% xong'], ['Quan trọng*'], deep]) await c.mailboxCreate(folder);
    // imapflow puts the personal prefix before a name without it
    await c.append('INBOX', message('Giấy mời', { eightBit: true }), ['\\Seen'], at('2024-05-01T01:00:00Z'));
    await c.append('Thư đã gửi', message('Trả lời: Giấy mời'), ['\\Seen', '\\Answered'], at('2024-05-01T02:00:00Z'));
    await c.append('Đã gửi đi', message('Công văn đi'), ['\\Seen'], at('2024-05-02T02:00:00Z'));
    await c.append('Dự án.Đường tỉnh 151', message('Hồ sơ mời thầu'), ['$Label1'], at('2024-05-03T02:00:00Z'));
    await c.append('50% xong', message('Tiến độ'), [], at('2024-05-04T02:00:00Z'));
    await c.append('Quan trọng*', message('Khẩn'), ['\\Flagged'], at('2024-05-05T02:00:00Z'));
    await c.append(deep.join('.'), message('Rất sâu'), [], at('2024-05-06T02:00:00Z'));
    await c.logout();
  });

  afterAll(async () => {
    await courier?.stop();
  });

  it('folders lose the prefix, "." becomes "/", * and % their full-width forms, and a folder too deep is skipped with the reason', { timeout: 60_000 }, async () => {
    const { db, blobs, config } = server.runtime;
    const account = await addTestAccount(db, config, 'chinhtv@yenbai.gov.vn', { password: NEW_PASSWORD, quotaBytes: 0 });
    const [result] = await runImport(db, blobs, silentLogger, [{ accountId: account.id, address: account.address, source: { host: courier.host, port: courier.port, secure: false, tlsVerify: true, user: 'chinhtv@old.gov.vn', password: OLD_PASSWORD } }], { parallel: 1, actor: 'cli:test' });
    expect(result).toMatchObject({ copied: 6, skipped: [{ folder: `INBOX.${deep.join('.')}`, reason: 'folders nest at most 16 levels deep' }] });
    expect(result!.error).toBeUndefined();
    const names = (await listMailboxes(db, account.id)).map((m) => m.name);
    expect(names.filter((n) => n.startsWith('INBOX/'))).toEqual([]);
    const { expected, actual } = await compare('chinhtv@old.gov.vn', account.address, courier, courierTarget);
    expect(Object.keys(actual).sort()).toEqual(['50％ xong', 'Dự án/Đường tỉnh 151', 'INBOX', 'Quan trọng＊', 'Sent']);
    expect(actual).toEqual(expected);
  });

  it('a folder Dovecot will not open is skipped with its answer; the others are still copied', { timeout: 60_000 }, async () => {
    const { db, blobs } = server.runtime;
    const account = (await db.query<{ id: number }>("SELECT id FROM accounts WHERE address = 'chinhtv@yenbai.gov.vn'")).rows[0]!;
    const c = await oldClient('chinhtv@old.gov.vn', courier);
    await c.append('INBOX', message('Thư mới'), [], at('2024-06-01T01:00:00Z'));
    await c.logout();
    // the Maildir folder of "Dự án.Đường tỉnh 151" made unreadable for Dovecot's mail process
    const maildir = courier.maildir('chinhtv@old.gov.vn');
    const locked = path.join(maildir, readdirSync(maildir).find((d) => d.endsWith(' 151'))!);
    chmodSync(locked, 0o000);
    try {
      const [result] = await runImport(db, blobs, silentLogger, [{ accountId: account.id, address: 'chinhtv@yenbai.gov.vn', source: { host: courier.host, port: courier.port, secure: false, tlsVerify: true, user: 'chinhtv@old.gov.vn', password: OLD_PASSWORD } }], { parallel: 1, actor: 'cli:test' });
      expect(result!.error).toBeUndefined();
      expect(result!.copied).toBe(1);
      expect(result!.skipped.map((s) => s.folder)).toEqual(expect.arrayContaining(['INBOX.Dự án.Đường tỉnh 151', `INBOX.${deep.join('.')}`]));
      expect(result!.skipped.find((s) => s.folder === 'INBOX.Dự án.Đường tỉnh 151')!.reason).toMatch(new RegExp(`^127\\.0\\.0\\.1:${courier.port} would not open it: .+`));
    } finally {
      chmodSync(locked, 0o700);
    }
  });
});

describe('hopthu import imap from a Dovecot with a self-signed certificate', () => {
  let secured: TestDovecot;

  beforeAll(async () => {
    secured = await startDovecot({ users: [{ user: 'lantt@old.gov.vn', password: OLD_PASSWORD }], tls: true });
    const c = new ImapFlow({ host: secured.host, port: secured.tlsPort!, secure: true, auth: { user: 'lantt@old.gov.vn', pass: OLD_PASSWORD }, tls: { rejectUnauthorized: false }, logger: false });
    await c.connect();
    await c.append('INBOX', message('Thư qua TLS', { eightBit: true }), ['\\Seen'], at('2024-07-01T01:00:00Z'));
    await c.logout();
  });

  afterAll(async () => {
    await secured?.stop();
  });

  it('imaps:// refuses the certificate with a sentence naming --insecure; with it (tlsVerify off) the mail is copied', async () => {
    const { db, blobs, config } = server.runtime;
    const account = await addTestAccount(db, config, 'lantt@yenbai.gov.vn', { password: NEW_PASSWORD, quotaBytes: 0 });
    const source = { host: secured.host, port: secured.tlsPort!, secure: true, user: 'lantt@old.gov.vn', password: OLD_PASSWORD };
    const mapping = (tlsVerify: boolean): ImportMapping => ({ accountId: account.id, address: account.address, source: { ...source, tlsVerify } });
    const [refused] = await runImport(db, blobs, silentLogger, [mapping(true)], { parallel: 1, actor: 'cli:test' });
    expect(refused!.error).toMatch(new RegExp(`^TLS with 127\\.0\\.0\\.1:${secured.tlsPort} failed \\(DEPTH_ZERO_SELF_SIGNED_CERT\\): .*for a self-signed certificate add --insecure$`));
    const [copied] = await runImport(db, blobs, silentLogger, [mapping(false)], { parallel: 1, actor: 'cli:test' });
    expect(copied).toMatchObject({ copied: 1, skipped: [] });
    expect(copied!.error).toBeUndefined();
  });

  it('imap:// upgrades with STARTTLS, and checks that certificate too', async () => {
    const { db, blobs } = server.runtime;
    const account = (await db.query<{ id: number }>("SELECT id FROM accounts WHERE address = 'lantt@yenbai.gov.vn'")).rows[0]!;
    const source = { host: secured.host, port: secured.port, secure: false, user: 'lantt@old.gov.vn', password: OLD_PASSWORD };
    const [refused, upToDate] = await runImport(db, blobs, silentLogger, [
      { accountId: account.id, address: 'lantt@yenbai.gov.vn', source: { ...source, tlsVerify: true } },
      { accountId: account.id, address: 'lantt@yenbai.gov.vn', source: { ...source, tlsVerify: false } },
    ], { parallel: 1, actor: 'cli:test' });
    expect(refused!.error).toMatch(/^TLS with 127\.0\.0\.1:\d+ failed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    // the same old mailbox under another URL (imap:// rather than imaps://) has no progress of its
    // own yet: its messages are recognised by content and arrival time, not copied twice
    expect(upToDate).toMatchObject({ copied: 0, skipped: [] });
    expect(upToDate!.error).toBeUndefined();
    const now = await newClient('lantt@yenbai.gov.vn');
    expect(await now.status('INBOX', { messages: true })).toMatchObject({ messages: 1 });
    await now.logout();
  });
});
