import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createMailEnv, message, type MailEnv } from './mail-env.js';
import { addAgency } from '../../../src/identity/agencies.js';
import { addAccount, setAccountStatus, type Account } from '../../../src/identity/accounts.js';
import { createDefaultMailboxes } from '../../../src/mail/mailboxes.js';
import { createMailbox } from '../../../src/mail/mailbox-tree.js';
import { placeHold, releaseHold } from '../../../src/mail/legal-hold.js';
import { setDomainRetention } from '../../../src/mail/retention.js';
import { collectGarbage } from '../../../src/store/blob-refs.js';
import { verifyAuditChain } from '../../../src/audit/audit-log.js';
import { archiveAccount, archivesOf, removeArchivedMessages, writeAccountArchive, type ArchiveContext } from '../../../src/mail/archive/account-archive.js';
import { archiveDepartedAccounts } from '../../../src/mail/archive/sweep.js';
import { startRetentionSweep } from '../../../src/cli/retention-sweep.js';
import { connectRedis } from '../../../src/store/redis.js';
import { silentLogger } from '../../../src/shared/logger.js';

let m: MailEnv;
let ctx: ArchiveContext;
const DAY = 86_400_000;

beforeAll(async () => {
  m = await createMailEnv();
  ctx = { db: m.db, blobs: m.blobs, dataDir: path.join(m.env.dir, 'data') };
});
afterAll(async () => {
  await m?.stop();
});

const refcount = async (hash: string) => (await m.db.query<{ refcount: number }>('SELECT refcount FROM blobs WHERE hash = $1', [hash])).rows[0]?.refcount ?? 0;
const messageCount = async (accountId: number) =>
  Number((await m.db.query<{ n: string }>('SELECT count(*) AS n FROM messages m JOIN mailboxes mb ON mb.id = m.mailbox_id WHERE mb.account_id = $1', [accountId])).rows[0]!.n);
const hashOf = (raw: string) => createHash('sha256').update(raw, 'utf8').digest('hex');

/** A disabled account, disabled `daysAgo` days ago. */
async function departed(local: string, daysAgo: number, agencyId: number | null = null): Promise<Account> {
  const a = await addAccount(m.db, { address: `${local}@yenbai.gov.vn`, quotaBytes: 0, agencyId });
  await createDefaultMailboxes(m.db, a.id);
  await setAccountStatus(m.db, a.id, 'disabled');
  await m.db.query(`UPDATE accounts SET disabled_at = now() - make_interval(days => $2) WHERE id = $1`, [a.id, daysAgo]);
  return a;
}

/** Unpacks a .tar.gz with the system's tar, as an administrator would. */
function untar(file: string): string {
  const dir = mkdtempSync(path.join(m.env.dir, 'untar-'));
  execFileSync('tar', ['-xzf', file, '-C', dir]);
  return dir;
}

interface IndexLine { folder: string; file: string; uid: number; flags: string[]; internalDate: string; size: number; sha256: string; offset: number; length: number }

describe('archiving departed accounts', () => {
  it('archives an account disabled longer than its retention: mboxrd per folder, manifest, messages and unshared blobs gone', async () => {
    const gone = await departed('roidi', 400);
    const stays = await m.account('conlai');
    const inbox = await m.mailbox(gone.id, 'INBOX');
    const project = await createMailbox(m.db, gone.id, 'Dự án/Đường tỉnh 2026');
    const vietnamese = message({ subject: 'Quyết định bổ nhiệm cán bộ Sở Nội vụ', body: 'Kính gửi đồng chí,\r\nFrom now on: họp lúc 8 giờ.\r\n>From the minutes' });
    const shared = message({ subject: 'Thông báo chung toàn tỉnh', body: 'cùng một thư cho mọi người' });
    const inProject = message({ subject: 'Dự toán', body: 'bảng dự toán' });
    await m.append(inbox.id, vietnamese, { flags: ['\\Seen', '\\Flagged', '$Important'], internalDate: new Date('2025-01-02T03:04:05Z') });
    await m.append(inbox.id, shared);
    await m.append(project.id, inProject, { flags: ['\\Answered'] });
    await m.append((await m.mailbox(stays.id, 'INBOX')).id, shared);
    expect(await refcount(hashOf(shared))).toBe(2);

    // 400 days > 365: due; an account disabled 10 days ago is not
    const recent = await departed('moinghi', 10);
    await m.append((await m.mailbox(recent.id, 'INBOX')).id, message({ subject: 'vẫn giữ' }));
    const sweep = await archiveDepartedAccounts(ctx, 365);
    expect(sweep.archived.map((a) => a.address)).toEqual([gone.address]);
    expect(sweep.failed).toEqual([]);
    const [outcome] = sweep.archived;
    expect(outcome!.removed).toBe(3);

    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    const file = path.join(ctx.dataDir, 'archive', 'yenbai.gov.vn', `roidi@yenbai.gov.vn-${day}.tar.gz`);
    expect(path.resolve(outcome!.archive.path)).toBe(path.resolve(file));
    expect(existsSync(file)).toBe(true);
    // the recorded SHA-256 is the file's; no staging or partial file is left beside it
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(outcome!.archive.sha256);
    expect(readdirSync(path.dirname(file))).toEqual([path.basename(file)]);

    const listing = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n');
    const top = `roidi@yenbai.gov.vn-${day}`;
    expect(listing).toEqual(expect.arrayContaining([`${top}/manifest.json`, `${top}/messages.jsonl`, `${top}/folders/005-INBOX.mbox`, `${top}/folders/004-Du_an_Duong_tinh_2026.mbox`]));
    const dir = path.join(untar(file), top);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'hopthu-account-archive/1', account: { address: gone.address }, messages: 3 });
    expect(manifest.folders.map((f: { name: string }) => f.name)).toEqual(['Archive', 'Drafts', 'Dự án', 'Dự án/Đường tỉnh 2026', 'INBOX', 'Junk', 'Sent', 'Trash']);

    const index: IndexLine[] = readFileSync(path.join(dir, 'messages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(index.map((l) => [l.folder, l.uid])).toEqual([['INBOX', 1], ['INBOX', 2], ['Dự án/Đường tỉnh 2026', 1]]);
    expect(index[0]).toMatchObject({ flags: ['\\Flagged', '\\Seen', '$Important'], internalDate: '2025-01-02T03:04:05.000Z', sha256: hashOf(vietnamese) });
    expect(index[2]!.flags).toEqual(['\\Answered']);
    const originals = [vietnamese, shared, inProject];
    index.forEach((line, i) => {
      const mbox = readFileSync(path.join(dir, line.file));
      const quoted = mbox.subarray(line.offset, line.offset + line.length).toString('utf8');
      // mboxrd: the reader takes one ">" off each /^>+From / line and has the message byte for byte
      expect(Buffer.from(quoted.replace(/^>(>*From )/gm, '$1'), 'utf8').equals(Buffer.from(originals[i]!, 'utf8'))).toBe(true);
      expect(createHash('sha256').update(quoted.replace(/^>(>*From )/gm, '$1'), 'utf8').digest('hex')).toBe(line.sha256);
    });
    const inboxMbox = readFileSync(path.join(dir, index[0]!.file), 'utf8');
    expect(inboxMbox.startsWith('From annv@yenbai.gov.vn Thu Jan  2 03:04:05 2025\n')).toBe(true);
    expect(inboxMbox).toContain('Subject: Quyết định bổ nhiệm cán bộ Sở Nội vụ\r\n');
    expect(inboxMbox).toContain('\r\n>From now on: họp lúc 8 giờ.\r\n>>From the minutes');
    // two separator lines: the quoted body lines are not mistaken for one
    expect(inboxMbox.match(/^From /gm)).toHaveLength(2);

    // the live store: the departed account's messages are gone, the others' are not
    expect(await messageCount(gone.id)).toBe(0);
    expect(await messageCount(stays.id)).toBe(1);
    expect(await messageCount(recent.id)).toBe(1);
    expect((await m.db.query('SELECT status FROM accounts WHERE id = $1', [gone.id])).rows[0]).toEqual({ status: 'disabled' });
    expect(await refcount(hashOf(vietnamese))).toBe(0);
    expect(await refcount(hashOf(shared))).toBe(1);
    await m.db.query("UPDATE blob_gc SET since = now() - interval '2 hours'");
    expect(await collectGarbage(m.db, m.blobs)).toBeGreaterThanOrEqual(2);
    expect(await m.blobs.has(hashOf(vietnamese))).toBe(false);
    expect(await m.blobs.has(hashOf(inProject))).toBe(false);
    expect(await m.blobs.has(hashOf(shared))).toBe(true);

    const [archive] = await archivesOf(m.db, gone.id);
    expect(archive).toMatchObject({ messages: 3, createdBy: 'system', sha256: outcome!.archive.sha256 });
    expect(archive!.removedAt).toBeInstanceOf(Date);
    const { rows } = await m.db.query<{ action: string; data: { file: string; removed?: number } }>('SELECT action, data FROM audit_events WHERE target = $1 AND action LIKE $2 ORDER BY id', [gone.address, 'account.archive%']);
    expect(rows.map((r) => r.action)).toEqual(['account.archive', 'account.archive.remove']);
    expect(rows[1]!.data.removed).toBe(3);
    expect((await verifyAuditChain(m.db)).ok).toBe(true);

    // a second sweep has nothing to do
    const again = await archiveDepartedAccounts(ctx, 365);
    expect(again.archived).toEqual([]);
  });

  it("a domain's own disabled-account days win over the default; 0 keeps accounts for ever", async () => {
    const a = await departed('tenday', 10);
    await m.append((await m.mailbox(a.id, 'INBOX')).id, message({ subject: 'mười ngày' }));
    await setDomainRetention(m.db, a.domainId, { trashDays: null, junkDays: null, disabledAccountDays: 0 });
    expect((await archiveDepartedAccounts(ctx, 5)).archived).toEqual([]);
    await setDomainRetention(m.db, a.domainId, { trashDays: null, junkDays: null, disabledAccountDays: 7 });
    const sweep = await archiveDepartedAccounts(ctx, 0);
    // "moinghi" of the first test was disabled 10 days ago too
    expect(sweep.archived.map((x) => x.address).sort()).toEqual(['moinghi@yenbai.gov.vn', a.address]);
    expect(await messageCount(a.id)).toBe(0);
    await setDomainRetention(m.db, a.domainId, { trashDays: null, junkDays: null, disabledAccountDays: null });
  });

  it('leaves an account under a legal hold (through its agency) alone, and archives it once the hold is lifted', async () => {
    const dept = await addAgency(m.db, { code: 'STP', name: 'Sở Tư pháp' });
    const office = await addAgency(m.db, { code: 'STP-VP', name: 'Văn phòng Sở Tư pháp', parentId: dept.id });
    const a = await departed('bigiu', 500, office.id);
    await m.append((await m.mailbox(a.id, 'INBOX')).id, message({ subject: 'Hồ sơ vụ việc' }));
    const hold = await placeHold(m.db, { agencyId: dept.id, reason: 'Thanh tra vụ việc 9', actor: 'cli:test' });

    const sweep = await archiveDepartedAccounts(ctx, 365);
    expect(sweep.held.map((h) => [h.address, h.holds.map((x) => x.id)])).toEqual([[a.address, [hold.id]]]);
    expect(sweep.archived).toEqual([]);
    expect(await messageCount(a.id)).toBe(1);
    expect(await archivesOf(m.db, a.id)).toEqual([]);
    await expect(archiveAccount(ctx, a.id, 'cli:test')).rejects.toMatchObject({ code: 'account-held', message: expect.stringMatching(/under legal hold \d+ \(Thanh tra vụ việc 9, on agency STP\)/) });

    await releaseHold(m.db, hold.id, 'cli:test');
    const after = await archiveDepartedAccounts(ctx, 365);
    expect(after.archived.map((x) => x.address)).toEqual([a.address]);
    expect(await messageCount(a.id)).toBe(0);
  });

  it('never touches an active account, and says why', async () => {
    const a = await m.account('danglam');
    await m.append((await m.mailbox(a.id, 'INBOX')).id, message({ subject: 'đang làm việc' }));
    await m.db.query("UPDATE accounts SET created_at = now() - interval '3 years' WHERE id = $1", [a.id]);
    expect((await archiveDepartedAccounts(ctx, 1)).archived.map((x) => x.address)).not.toContain(a.address);
    await expect(archiveAccount(ctx, a.id, 'cli:test')).rejects.toMatchObject({ code: 'account-active', message: expect.stringMatching(/danglam@yenbai\.gov\.vn is active; only a disabled account is archived/) });
    expect(await messageCount(a.id)).toBe(1);
  });

  it('recovers from a crash between writing and removing, without removing mail stored after the archive', async () => {
    const a = await departed('dodang', 400);
    const inbox = await m.mailbox(a.id, 'INBOX');
    const first = message({ subject: 'trước khi lưu trữ' });
    await m.append(inbox.id, first);
    // a run that died while writing left a partial file and a staging folder behind
    const dir = path.join(ctx.dataDir, 'archive', 'yenbai.gov.vn');
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    writeFileSync(path.join(dir, `dodang@yenbai.gov.vn-${day}.tar.gz.partial`), 'half an archive');

    // step 1 only: the process "dies" before removing anything
    const archive = await writeAccountArchive(ctx, a.id, 'system');
    expect(archive.removedAt).toBeNull();
    expect(archive.messages).toBe(1);
    expect(await messageCount(a.id)).toBe(1);
    const later = message({ subject: 'đến sau khi lưu trữ' });
    await m.append(inbox.id, later);

    // the next sweep finishes the removal of what the archive holds, and only that
    const sweep = await archiveDepartedAccounts(ctx, 365);
    const outcome = sweep.archived.find((x) => x.address === a.address)!;
    expect(outcome.archive.id).toBe(archive.id);
    expect(outcome.removed).toBe(1);
    const { rows } = await m.db.query<{ subject: string }>('SELECT m.subject FROM messages m JOIN mailboxes mb ON mb.id = m.mailbox_id WHERE mb.account_id = $1', [a.id]);
    expect(rows.map((r) => r.subject)).toEqual(['đến sau khi lưu trữ']);
    expect(readdirSync(dir).filter((f) => f.startsWith('dodang'))).toEqual([`dodang@yenbai.gov.vn-${day}.tar.gz`]);
    // removal again is a no-op
    expect((await removeArchivedMessages(ctx, { ...archive, removedAt: null }, 'system')).removed).toBe(0);

    // what came later is archived by hand into a second file
    const second = await archiveAccount(ctx, a.id, 'cli:test', { source: 'cli' });
    expect(second.archive.path.endsWith(`dodang@yenbai.gov.vn-${day}-2.tar.gz`)).toBe(true);
    expect(second.removed).toBe(1);
    await expect(archiveAccount(ctx, a.id, 'cli:test')).rejects.toMatchObject({ code: 'already-archived' });
  });

  it('a hold placed between writing and removing stops the removal until it is lifted', async () => {
    const a = await departed('giuagiua', 400);
    await m.append((await m.mailbox(a.id, 'INBOX')).id, message({ subject: 'giữa hai bước' }));
    const archive = await writeAccountArchive(ctx, a.id, 'system');
    const hold = await placeHold(m.db, { accountId: a.id, reason: 'Khiếu nại số 11', actor: 'cli:test' });
    const removal = await removeArchivedMessages(ctx, archive, 'system');
    expect(removal).toMatchObject({ removed: 0, holds: [{ id: hold.id }] });
    expect((await archiveDepartedAccounts(ctx, 365)).held.map((h) => h.address)).toEqual([a.address]);
    expect(await messageCount(a.id)).toBe(1);
    await releaseHold(m.db, hold.id, 'cli:test');
    const sweep = await archiveDepartedAccounts(ctx, 365);
    expect(sweep.archived.map((x) => [x.address, x.archive.id, x.removed])).toEqual([[a.address, archive.id, 1]]);
  });

  it('writes and records nothing, and leaves no half file, when a blob no longer matches its SHA-256', async () => {
    const a = await departed('blobhong', 400);
    const raw = message({ subject: 'thân thư bị hỏng trên đĩa' });
    await m.append((await m.mailbox(a.id, 'INBOX')).id, raw);
    const blobFile = m.blobs.pathOf(hashOf(raw));
    const good = readFileSync(blobFile);
    writeFileSync(blobFile, Buffer.alloc(good.length, 0x78));
    await expect(writeAccountArchive(ctx, a.id, 'system')).rejects.toThrow(/does not match its message .* nothing was archived/);
    expect(await archivesOf(m.db, a.id)).toEqual([]);
    expect(readdirSync(path.join(ctx.dataDir, 'archive', 'yenbai.gov.vn')).filter((f) => f.includes('blobhong'))).toEqual([]);
    expect(await messageCount(a.id)).toBe(1);
    writeFileSync(blobFile, good);
    expect((await archiveAccount(ctx, a.id, 'system')).removed).toBe(1);
  });

  it('removes nothing when the archive file no longer matches its recorded SHA-256', async () => {
    const a = await departed('hong', 400);
    await m.append((await m.mailbox(a.id, 'INBOX')).id, message({ subject: 'tệp hỏng' }));
    const archive = await writeAccountArchive(ctx, a.id, 'system');
    writeFileSync(archive.path, 'damaged');
    await expect(removeArchivedMessages(ctx, archive, 'system')).rejects.toMatchObject({ code: 'archive-damaged' });
    expect(await messageCount(a.id)).toBe(1);
    const sweep = await archiveDepartedAccounts(ctx, 365);
    expect(sweep.failed).toEqual([{ address: a.address, error: expect.stringMatching(/no longer matches its recorded SHA-256/) }]);
    expect(await messageCount(a.id)).toBe(1);
  });

  it('a message larger than the read chunks, "From " lines across their edges, comes back byte for byte', async () => {
    const a = await departed('thudai', 400);
    // lines of varying length so that "From " and ">From " fall on every offset of the 64 KiB reads
    const lines = Array.from({ length: 12_000 }, (_, i) => (i % 3 === 0 ? 'From dòng ' : i % 3 === 1 ? '>>From trích ' : 'Nội dung ') + 'x'.repeat(i % 41));
    const raw = message({ subject: 'Báo cáo tổng hợp năm 2026', body: lines.join('\r\n') });
    expect(Buffer.byteLength(raw)).toBeGreaterThan(300_000);
    await m.append((await m.mailbox(a.id, 'INBOX')).id, raw);
    const { archive } = await archiveAccount(ctx, a.id, 'system');
    const top = path.basename(archive.path, '.tar.gz');
    const dir = path.join(untar(archive.path), top);
    const [line] = readFileSync(path.join(dir, 'messages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as IndexLine);
    const quoted = readFileSync(path.join(dir, line!.file)).subarray(line!.offset, line!.offset + line!.length).toString('utf8');
    expect(quoted.match(/^>From dòng /gm)).toHaveLength(4000);
    expect(quoted.replace(/^>(>*From )/gm, '$1')).toBe(raw);
  });

  it("the worker's retention round empties Trash and archives the disabled accounts past their days", async () => {
    const a = await departed('quytrinh', 30);
    await m.append((await m.mailbox(a.id, 'INBOX')).id, message({ subject: 'theo lịch của worker' }));
    const keeper = await m.account('thungrac');
    const trash = await m.mailbox(keeper.id, 'Trash');
    await m.append(trash.id, message({ subject: 'rác cũ' }));
    await m.db.query("UPDATE messages SET saved_at = now() - interval '40 days' WHERE mailbox_id = $1", [trash.id]);
    const redis = connectRedis(m.env.redis.url);
    const sweep = startRetentionSweep(
      { ...ctx, redis, redisPrefix: 'test:', log: silentLogger, retention: { trashDays: 30, junkDays: 30, disabledAccountDays: 20 } },
      50,
    );
    try {
      for (let i = 0; i < 200 && (await archivesOf(m.db, a.id)).every((x) => x.removedAt === null); i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await sweep.stop();
      redis.disconnect();
    }
    expect((await archivesOf(m.db, a.id))[0]?.removedAt).toBeInstanceOf(Date);
    expect(await messageCount(a.id)).toBe(0);
    expect(await messageCount(keeper.id)).toBe(0);
  });
});
