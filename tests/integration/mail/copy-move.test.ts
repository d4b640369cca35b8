import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailEnv, message, type MailEnv } from './mail-env.js';
import type { Account } from '../../../src/identity/accounts.js';
import { createMailbox } from '../../../src/mail/mailbox-tree.js';
import { copyMessages, moveMessages } from '../../../src/mail/copy-move.js';
import { storeFlags } from '../../../src/mail/store-flags.js';
import { fetchMessages } from '../../../src/mail/fetch.js';
import { mailboxStatus } from '../../../src/mail/status.js';
import { getQuota, QuotaExceededError } from '../../../src/mail/quota.js';
import { appendFromClient } from '../../../src/mail/imap-append.js';
import { getMailboxById, type Mailbox } from '../../../src/mail/mailboxes.js';
import { ALL_UIDS } from '../../../src/mail/uid-set.js';

let m: MailEnv;
let an: Account;
let source: Mailbox;
let target: Mailbox;
const raws = [1, 2, 3, 4].map((i) => message({ subject: `Công văn số ${i}`, body: 'x'.repeat(1000 * i) }));
const sizes = raws.map((r) => Buffer.byteLength(r));

beforeAll(async () => {
  m = await createMailEnv();
  an = await m.account('annv');
  source = await createMailbox(m.db, an.id, 'Nguồn');
  target = await createMailbox(m.db, an.id, 'Đích');
  for (const [i, raw] of raws.entries()) await m.append(source.id, raw, { flags: i === 0 ? ['\\Seen', 'DaXuLy'] : [] });
  await m.append(target.id, message({ subject: 'đã có sẵn' }));
});
afterAll(async () => m?.stop());

const refcount = async (raw: string) => {
  const { hash } = await m.put(raw);
  return (await m.db.query<{ refcount: number }>('SELECT refcount FROM blobs WHERE hash = $1', [hash])).rows[0]?.refcount;
};

describe('COPY (RFC 9051 §6.4.7) with COPYUID (RFC 4315 §3)', () => {
  it('copies in source UID order, returns matching source and target UIDs, keeps flags and dates, adds blob references', async () => {
    const r = await copyMessages(m.db, m.blobs, { sourceMailboxId: source.id, uids: [[3, 1]], targetMailboxId: target.id, targetQuota: null });
    expect(r.uidValidity).toBe(target.uidValidity);
    expect(r.sourceUids).toEqual([1, 2, 3]);
    expect(r.targetUids).toEqual([2, 3, 4]);
    expect(r.changes).toEqual([{ type: 'exists', mailboxId: target.id, uid: 4, modseq: expect.any(Number) }]);
    const [src] = await fetchMessages(m.db, source.id, [[1, 1]]);
    const [copy] = await fetchMessages(m.db, target.id, [[2, 2]]);
    expect(copy).toMatchObject({ flags: ['\\Seen', 'DaXuLy'], size: sizes[0], blobHash: src!.blobHash, internalDate: src!.internalDate });
    expect(await refcount(raws[0]!)).toBe(2);
    expect((await getMailboxById(m.db, target.id))!.keywords).toEqual(['DaXuLy']);
    expect(await mailboxStatus(m.db, target.id)).toMatchObject({ messages: 4, unseen: 3, uidNext: 5 });
  });

  it('a UID set matching nothing copies nothing and gives no COPYUID data', async () => {
    const r = await copyMessages(m.db, m.blobs, { sourceMailboxId: source.id, uids: [[100, 200]], targetMailboxId: target.id, targetQuota: null });
    expect(r).toMatchObject({ sourceUids: [], targetUids: [], changes: [] });
  });

  it('copies into the same folder with new UIDs', async () => {
    const r = await copyMessages(m.db, m.blobs, { sourceMailboxId: source.id, uids: [[4, 4]], targetMailboxId: source.id, targetQuota: null });
    expect(r.targetUids).toEqual([5]);
  });

  it('copies into another account and checks that account\'s quota: over it is QuotaExceededError, nothing copied (RFC 9208 §4.3)', async () => {
    const ha = await m.account('hadtt');
    const haInbox = await m.mailbox(ha.id, 'INBOX');
    const quota = { quotaBytes: sizes[0]! + sizes[1]! + 10 };
    const tooMuch = copyMessages(m.db, m.blobs, { sourceMailboxId: source.id, uids: [[1, 3]], targetMailboxId: haInbox.id, targetQuota: quota });
    await expect(tooMuch).rejects.toBeInstanceOf(QuotaExceededError);
    await expect(tooMuch).rejects.toMatchObject({ code: 'over-quota', resource: 'STORAGE' });
    expect((await mailboxStatus(m.db, haInbox.id)).messages).toBe(0);
    const fits = await copyMessages(m.db, m.blobs, { sourceMailboxId: source.id, uids: [[1, 2]], targetMailboxId: haInbox.id, targetQuota: quota });
    expect(fits.targetUids).toEqual([1, 2]);
    const q = await getQuota(m.db, ha.id, quota);
    expect(q).toEqual({
      root: '',
      storage: { usage: Math.ceil((sizes[0]! + sizes[1]!) / 1024), limit: Math.floor(quota.quotaBytes / 1024), usedBytes: sizes[0]! + sizes[1]! },
      message: { usage: 2, limit: null },
    });
    // MESSAGE limit (RFC 9208 §5.2)
    await expect(
      copyMessages(m.db, m.blobs, { sourceMailboxId: source.id, uids: [[4, 4]], targetMailboxId: haInbox.id, targetQuota: { quotaBytes: 0, quotaMessages: 2 } }),
    ).rejects.toMatchObject({ code: 'over-quota', resource: 'MESSAGE' });
  });

  it('APPEND over quota is refused the same way', async () => {
    const hoa = await m.account('hoant');
    const inbox = await m.mailbox(hoa.id, 'INBOX');
    const blob = await m.put(raws[3]!);
    await expect(
      appendFromClient(m.db, m.blobs, { mailboxId: inbox.id, quota: { quotaBytes: blob.size - 1 }, messages: [{ blobHash: blob.hash, size: blob.size }] }),
    ).rejects.toMatchObject({ code: 'over-quota' });
    expect((await mailboxStatus(m.db, inbox.id)).messages).toBe(0);
  });
});

describe('MOVE (RFC 6851)', () => {
  it('moves atomically: COPYUID data, the source sees the UIDs expunged, blob references unchanged', async () => {
    const dest = await createMailbox(m.db, an.id, 'Chuyển đến');
    const before = await mailboxStatus(m.db, source.id);
    const refsBefore = await refcount(raws[1]!);
    const r = await moveMessages(m.db, { sourceMailboxId: source.id, uids: [[2, 3]], targetMailboxId: dest.id });
    expect(r).toMatchObject({ uidValidity: dest.uidValidity, sourceUids: [2, 3], targetUids: [1, 2] });
    const expunge = r.changes.find((c) => c.type === 'expunge');
    expect(expunge).toMatchObject({ mailboxId: source.id, uids: [2, 3] });
    expect(await refcount(raws[1]!)).toBe(refsBefore);
    expect(await mailboxStatus(m.db, source.id)).toMatchObject({
      messages: before.messages - 2,
      unseen: before.unseen - 2,
      size: before.size - sizes[1]! - sizes[2]!,
    });
    expect(await mailboxStatus(m.db, dest.id)).toMatchObject({ messages: 2, unseen: 2, size: sizes[1]! + sizes[2]!, uidNext: 3 });
    const { rows } = await m.db.query('SELECT uid FROM expunged_messages WHERE mailbox_id = $1 ORDER BY uid', [source.id]);
    expect(rows).toEqual([{ uid: 2 }, { uid: 3 }]);
  });

  it('keeps flags, including \\Deleted set before the move', async () => {
    const dest = await createMailbox(m.db, an.id, 'Giữ cờ');
    await storeFlags(m.db, { mailboxId: source.id, uids: [[4, 4]], action: 'add', flags: ['\\Deleted', '$Label2'] });
    const r = await moveMessages(m.db, { sourceMailboxId: source.id, uids: [[4, 4]], targetMailboxId: dest.id });
    const [moved] = await fetchMessages(m.db, dest.id, [[r.targetUids[0]!, r.targetUids[0]!]]);
    expect(moved!.flags).toEqual(['\\Deleted', '$Label2']);
  });

  it('a move inside one account needs no quota room; into another account it does', async () => {
    const full = { quotaBytes: 1 };
    const inside = await createMailbox(m.db, an.id, 'Trong tài khoản');
    const r = await moveMessages(m.db, { sourceMailboxId: source.id, uids: [[1, 1]], targetMailboxId: inside.id, targetQuota: full });
    expect(r.targetUids).toEqual([1]);
    const lan = await m.account('lanvt');
    const lanInbox = await m.mailbox(lan.id, 'INBOX');
    await expect(
      moveMessages(m.db, { sourceMailboxId: inside.id, uids: ALL_UIDS, targetMailboxId: lanInbox.id, targetQuota: full }),
    ).rejects.toMatchObject({ code: 'over-quota' });
    expect((await mailboxStatus(m.db, inside.id)).messages).toBe(1);
  });

  it('moves into a folder of another account', async () => {
    const lan = await m.account('lanvt2');
    const lanInbox = await m.mailbox(lan.id, 'INBOX');
    const inside = await createMailbox(m.db, an.id, 'Sang người khác');
    await m.append(inside.id, message({ subject: 'chuyển' }));
    const r = await moveMessages(m.db, { sourceMailboxId: inside.id, uids: ALL_UIDS, targetMailboxId: lanInbox.id, targetQuota: { quotaBytes: 0 } });
    expect(r.targetUids).toEqual([1]);
    expect((await mailboxStatus(m.db, lanInbox.id)).messages).toBe(1);
  });

  it('moving into the same folder gives new UIDs and expunges the old ones', async () => {
    const box = await createMailbox(m.db, an.id, 'Tại chỗ');
    await m.append(box.id, message());
    const r = await moveMessages(m.db, { sourceMailboxId: box.id, uids: ALL_UIDS, targetMailboxId: box.id });
    expect(r).toMatchObject({ sourceUids: [1], targetUids: [2] });
    expect(await mailboxStatus(m.db, box.id)).toMatchObject({ messages: 1, uidNext: 3 });
  });
});
