import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailEnv, message, type MailEnv } from './mail-env.js';
import { addAgency } from '../../../src/identity/agencies.js';
import { addAccount, type Account } from '../../../src/identity/accounts.js';
import { createDefaultMailboxes } from '../../../src/mail/mailboxes.js';
import { createMailbox, deleteMailbox } from '../../../src/mail/mailbox-tree.js';
import { storeFlags } from '../../../src/mail/store-flags.js';
import { expungeMessages } from '../../../src/mail/expunge.js';
import { moveMessages } from '../../../src/mail/copy-move.js';
import { heldMessagesOf, listHolds, placeHold, releaseHold } from '../../../src/mail/legal-hold.js';
import { applyRetention, setDomainRetention } from '../../../src/mail/retention.js';
import { verifyAuditChain } from '../../../src/audit/audit-log.js';

let m: MailEnv;
beforeAll(async () => {
  m = await createMailEnv();
});
afterAll(async () => {
  await m?.stop();
});

const refcount = async (hash: string) => (await m.db.query<{ refcount: number }>('SELECT refcount FROM blobs WHERE hash = $1', [hash])).rows[0]?.refcount;
const inGc = async (hash: string) => ((await m.db.query('SELECT 1 FROM blob_gc WHERE hash = $1', [hash])).rowCount ?? 0) > 0;

async function deleteAll(mailboxId: number) {
  await storeFlags(m.db, { mailboxId, uids: [[1, 1_000_000]], action: 'add', flags: ['\\Deleted'] });
  return expungeMessages(m.db, mailboxId);
}

async function person(local: string, agencyId: number | null = null): Promise<Account> {
  const a = await addAccount(m.db, { address: `${local}@yenbai.gov.vn`, quotaBytes: 0, agencyId });
  await createDefaultMailboxes(m.db, a.id);
  return a;
}

describe('legal hold', () => {
  it('without a hold, an expunged message and its blob reference are gone', async () => {
    const a = await m.account('free');
    const inbox = await m.mailbox(a.id, 'INBOX');
    await m.append(inbox.id, message({ subject: 'Không bị giữ', body: 'free body' }));
    const [hash] = (await m.db.query<{ blob_hash: string }>('SELECT blob_hash FROM messages WHERE mailbox_id = $1', [inbox.id])).rows.map((r) => r.blob_hash);
    expect((await deleteAll(inbox.id)).uids).toEqual([1]);
    expect(await heldMessagesOf(m.db, a.id)).toEqual([]);
    expect(await refcount(hash!)).toBe(0);
    expect(await inGc(hash!)).toBe(true);
  });

  it('keeps what a held account expunges or loses with a deleted folder, and lets it go when lifted', async () => {
    const a = await m.account('held');
    const inbox = await m.mailbox(a.id, 'INBOX');
    const hold = await placeHold(m.db, { accountId: a.id, reason: 'Thanh tra vụ việc số 12', caseRef: 'TT-12/2026', actor: 'cli:test' });
    await m.append(inbox.id, message({ subject: 'Hợp đồng gói thầu', body: 'evidence one' }));
    await m.append(inbox.id, message({ subject: 'Biên bản', body: 'evidence two' }));
    const hashes = (await m.db.query<{ blob_hash: string }>('SELECT blob_hash FROM messages WHERE mailbox_id = $1 ORDER BY uid', [inbox.id])).rows.map((r) => r.blob_hash);
    expect((await deleteAll(inbox.id)).uids).toEqual([1, 2]);

    const folder = await createMailbox(m.db, a.id, 'Dự án');
    await m.append(folder.id, message({ subject: 'Dự toán', body: 'evidence three' }));
    await deleteMailbox(m.db, a.id, 'Dự án');

    const held = await heldMessagesOf(m.db, a.id);
    expect(held.map((h) => [h.mailboxName, h.subject]).sort()).toEqual([['Dự án', 'Dự toán'], ['INBOX', 'Biên bản'], ['INBOX', 'Hợp đồng gói thầu']]);
    // the held rows keep the blobs alive
    for (const hash of hashes) expect(await refcount(hash)).toBe(1);
    expect((await listHolds(m.db)).find((h) => h.id === hold.id)?.heldMessages).toBe(3);

    const { releasedMessages } = await releaseHold(m.db, hold.id, 'cli:test');
    expect(releasedMessages).toBe(3);
    expect(await heldMessagesOf(m.db, a.id)).toEqual([]);
    for (const hash of hashes) {
      expect(await refcount(hash)).toBe(0);
      expect(await inGc(hash)).toBe(true);
    }
    await expect(releaseHold(m.db, hold.id, 'cli:test')).rejects.toMatchObject({ code: 'hold-released' });
    const { rows } = await m.db.query<{ action: string }>("SELECT action FROM audit_events WHERE action LIKE 'hold.%' AND target = $1 ORDER BY id", [a.address]);
    expect(rows.map((r) => r.action)).toEqual(['hold.place', 'hold.release']);
    expect((await verifyAuditChain(m.db)).ok).toBe(true);
  });

  it('an agency hold covers the accounts of its sub-agencies, and another hold keeps them when one is lifted', async () => {
    const province = await addAgency(m.db, { code: 'SNV', name: 'Sở Nội vụ' });
    const office = await addAgency(m.db, { code: 'SNV-VP', name: 'Văn phòng Sở', parentId: province.id });
    const other = await addAgency(m.db, { code: 'STC', name: 'Sở Tài chính' });
    const staff = await person('vanthu', office.id);
    const outsider = await person('ketoan', other.id);
    const agencyHold = await placeHold(m.db, { agencyId: province.id, reason: 'Kiểm tra công vụ', actor: 'cli:test' });
    const personalHold = await placeHold(m.db, { accountId: staff.id, reason: 'Khiếu nại số 7', actor: 'cli:test' });
    for (const account of [staff, outsider]) {
      const inbox = await m.mailbox(account.id, 'INBOX');
      await m.append(inbox.id, message({ subject: `Thư của ${account.address}` }));
      await deleteAll(inbox.id);
    }
    expect(await heldMessagesOf(m.db, staff.id)).toHaveLength(1);
    expect(await heldMessagesOf(m.db, outsider.id)).toHaveLength(0);
    // lifting the agency hold: the personal hold still covers the staff member
    expect((await releaseHold(m.db, agencyHold.id, 'cli:test')).releasedMessages).toBe(0);
    expect(await heldMessagesOf(m.db, staff.id)).toHaveLength(1);
    expect((await releaseHold(m.db, personalHold.id, 'cli:test')).releasedMessages).toBe(1);
  });

  it('refuses a hold without a reason or with two subjects', async () => {
    await expect(placeHold(m.db, { reason: ' ', accountId: 1, actor: 'cli:test' })).rejects.toMatchObject({ code: 'bad-hold' });
    await expect(placeHold(m.db, { reason: 'x', accountId: 1, agencyId: 1, actor: 'cli:test' })).rejects.toMatchObject({ code: 'bad-hold' });
  });
});

describe('retention of Trash and Junk', () => {
  it('removes what has been in Trash longer than the retention, counted from when it was moved there', async () => {
    const a = await m.account('trash');
    const inbox = await m.mailbox(a.id, 'INBOX');
    const trash = await m.mailbox(a.id, 'Trash');
    const junk = await m.mailbox(a.id, 'Junk');
    await m.append(trash.id, message({ subject: 'cũ trong thùng rác' }));
    await m.append(junk.id, message({ subject: 'thư rác cũ' }));
    await m.append(inbox.id, message({ subject: 'cũ trong hộp thư đến' }));
    await m.db.query("UPDATE messages SET saved_at = now() - interval '40 days' WHERE mailbox_id = ANY ($1::bigint[])", [[trash.id, junk.id, inbox.id]]);
    // an old message moved to Trash today starts its 30 days today
    await m.append(inbox.id, message({ subject: 'vừa xoá' }));
    await m.db.query("UPDATE messages SET saved_at = now() - interval '400 days' WHERE mailbox_id = $1 AND uid = 2", [inbox.id]);
    await moveMessages(m.db, { sourceMailboxId: inbox.id, targetMailboxId: trash.id, uids: [[2, 2]] });

    const run = await applyRetention(m.db, { trashDays: 30, junkDays: 30 });
    expect(run.messages).toBe(2);
    const left = async (id: number) => (await m.db.query<{ subject: string }>('SELECT subject FROM messages WHERE mailbox_id = $1 ORDER BY uid', [id])).rows.map((r) => r.subject);
    expect(await left(trash.id)).toEqual(['vừa xoá']);
    expect(await left(junk.id)).toEqual([]);
    expect(await left(inbox.id)).toEqual(['cũ trong hộp thư đến']);
    // clients see it as an ordinary expunge (QRESYNC VANISHED)
    expect(run.changes.some((c) => c.type === 'expunge' && c.mailboxId === trash.id)).toBe(true);
  });

  it("follows a domain's own setting; 0 keeps messages; a held account keeps what retention removes", async () => {
    const a = await m.account('policy');
    const trash = await m.mailbox(a.id, 'Trash');
    await m.append(trash.id, message({ subject: 'giữ lâu' }));
    await m.db.query("UPDATE messages SET saved_at = now() - interval '100 days' WHERE mailbox_id = $1", [trash.id]);
    const count = async () => (await m.db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE mailbox_id = $1', [trash.id])).rows[0]!.n;
    await setDomainRetention(m.db, a.domainId, { trashDays: 0, junkDays: null });
    await applyRetention(m.db, { trashDays: 30, junkDays: 30 });
    expect(await count()).toBe(1);
    await setDomainRetention(m.db, a.domainId, { trashDays: 120, junkDays: null });
    await applyRetention(m.db, { trashDays: 30, junkDays: 30 });
    expect(await count()).toBe(1);
    await setDomainRetention(m.db, a.domainId, { trashDays: 90, junkDays: null });
    const hold = await placeHold(m.db, { accountId: a.id, reason: 'Điều tra', actor: 'cli:test' });
    await applyRetention(m.db, { trashDays: 30, junkDays: 30 });
    expect(await count()).toBe(0);
    expect((await heldMessagesOf(m.db, a.id)).map((h) => h.subject)).toEqual(['giữ lâu']);
    await releaseHold(m.db, hold.id, 'cli:test');
    await expect(setDomainRetention(m.db, a.domainId, { trashDays: -1, junkDays: null })).rejects.toMatchObject({ code: 'bad-retention' });
  });
});
