import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailEnv, message, type MailEnv } from './mail-env.js';
import { createMailbox } from '../../../src/mail/mailbox-tree.js';
import { storeFlags } from '../../../src/mail/store-flags.js';
import { expungeMessages } from '../../../src/mail/expunge.js';
import { changesSince } from '../../../src/mail/changes.js';
import { mailboxStatus } from '../../../src/mail/status.js';
import { fetchMessages } from '../../../src/mail/fetch.js';
import { moveMessages } from '../../../src/mail/copy-move.js';
import type { Mailbox } from '../../../src/mail/mailboxes.js';
import { ALL_UIDS } from '../../../src/mail/uid-set.js';

let m: MailEnv;
let box: Mailbox;
let other: Mailbox;
const raws: string[] = [];

beforeAll(async () => {
  m = await createMailEnv();
  const an = await m.account('annv');
  box = await createMailbox(m.db, an.id, 'Dọn dẹp');
  other = await createMailbox(m.db, an.id, 'Nơi khác');
  for (let i = 1; i <= 8; i++) {
    raws.push(message({ subject: `thư số ${i}` }));
    await m.append(box.id, raws[i - 1]!, { flags: i % 2 ? [] : ['\\Seen'] });
  }
});
afterAll(async () => m?.stop());

const refcount = async (raw: string) => {
  const { hash } = await m.put(raw);
  return (await m.db.query<{ refcount: number }>('SELECT refcount FROM blobs WHERE hash = $1', [hash])).rows[0]?.refcount;
};

describe('EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1)', () => {
  let modseqBefore: number;

  it('removes only \\Deleted messages, records them with the MODSEQ of removal, and releases their blobs', async () => {
    modseqBefore = (await mailboxStatus(m.db, box.id)).highestModseq;
    await storeFlags(m.db, { mailboxId: box.id, uids: [[2, 3], [6, 6]], action: 'add', flags: ['\\Deleted'] });
    const r = await expungeMessages(m.db, box.id);
    expect(r.uids).toEqual([2, 3, 6]);
    expect(r.modseq).toBe(modseqBefore + 2); // one for the STORE, one for the EXPUNGE
    expect(r.changes).toEqual([{ type: 'expunge', mailboxId: box.id, uids: [2, 3, 6], modseq: r.modseq }]);
    const { rows } = await m.db.query('SELECT uid, modseq FROM expunged_messages WHERE mailbox_id = $1 ORDER BY uid', [box.id]);
    expect(rows).toEqual([2, 3, 6].map((uid) => ({ uid, modseq: r.modseq })));
    expect(await refcount(raws[1]!)).toBe(0);
    expect(await refcount(raws[0]!)).toBe(1);
    expect(await mailboxStatus(m.db, box.id)).toMatchObject({
      messages: 5,
      unseen: 3, // 1, 5, 7 (3 went)
      deleted: 0,
      size: [1, 4, 5, 7, 8].reduce((n, i) => n + Buffer.byteLength(raws[i - 1]!), 0),
    });
  });

  it('UID EXPUNGE removes only the \\Deleted messages inside its UID set', async () => {
    await storeFlags(m.db, { mailboxId: box.id, uids: [[1, 1], [4, 4]], action: 'add', flags: ['\\Deleted'] });
    const r = await expungeMessages(m.db, box.id, [[4, 10]]);
    expect(r.uids).toEqual([4]);
    expect((await fetchMessages(m.db, box.id, [[1, 1]]))[0]?.flags).toContain('\\Deleted');
  });

  it('with nothing to expunge changes nothing, not even HIGHESTMODSEQ', async () => {
    const before = await mailboxStatus(m.db, box.id);
    const r = await expungeMessages(m.db, box.id, [[5, 8]]);
    expect(r).toEqual({ uids: [], modseq: null, changes: [] });
    expect((await mailboxStatus(m.db, box.id)).highestModseq).toBe(before.highestModseq);
  });

  it('two sessions expunging at once remove each message once', async () => {
    await storeFlags(m.db, { mailboxId: box.id, uids: [[5, 5]], action: 'add', flags: ['\\Deleted'] });
    const [a, b] = await Promise.all([expungeMessages(m.db, box.id), expungeMessages(m.db, box.id)]);
    expect([...a.uids, ...b.uids].sort((x, y) => x - y)).toEqual([1, 5]);
    expect((await mailboxStatus(m.db, box.id)).messages).toBe(2); // 7 and 8
  });

  describe('changes since a MODSEQ (CONDSTORE/QRESYNC, RFC 7162 §3.1.4.1, §3.2.5)', () => {
    it('lists the flag changes and the vanished UIDs since the MODSEQ, from one snapshot', async () => {
      const all = await changesSince(m.db, box.id, modseqBefore);
      expect(all.vanished).toEqual([1, 2, 3, 4, 5, 6]);
      expect(all.changed).toEqual([]); // 7 and 8 were appended before modseqBefore and never changed
      expect(all.highestModseq).toBe((await mailboxStatus(m.db, box.id)).highestModseq);

      const mark = all.highestModseq;
      await storeFlags(m.db, { mailboxId: box.id, uids: [[8, 8]], action: 'add', flags: ['\\Flagged'] });
      const appended = await m.append(box.id, message({ subject: 'mới' }));
      await moveMessages(m.db, { sourceMailboxId: box.id, uids: [[7, 7]], targetMailboxId: other.id });
      const later = await changesSince(m.db, box.id, mark);
      expect(later.vanished).toEqual([7]); // moved away counts as expunged (RFC 6851 §3.3)
      expect(later.changed.map((c) => c.uid)).toEqual([8, appended.uids[0]]);
      expect(later.changed[0]).toMatchObject({ uid: 8, flags: ['\\Flagged', '\\Seen'] });
      expect(later.changed.every((c) => c.modseq > mark)).toBe(true);
    });

    it('limits VANISHED and changes to the client\'s known UIDs (RFC 7162 §3.2.5)', async () => {
      const r = await changesSince(m.db, box.id, modseqBefore, [[1, 3]]);
      expect(r.vanished).toEqual([1, 2, 3]);
    });

    it('FETCH CHANGEDSINCE returns only messages changed after the MODSEQ', async () => {
      const status = await mailboxStatus(m.db, box.id);
      expect(await fetchMessages(m.db, box.id, ALL_UIDS, { changedSince: status.highestModseq })).toEqual([]);
      const r = await storeFlags(m.db, { mailboxId: box.id, uids: [[8, 8]], action: 'add', flags: ['$Xem'] });
      const changed = await fetchMessages(m.db, box.id, ALL_UIDS, { changedSince: status.highestModseq });
      expect(changed.map((c) => [c.uid, c.modseq])).toEqual([[8, r.modseq]]);
    });
  });
});
