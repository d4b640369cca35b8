import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailEnv, message, type MailEnv } from './mail-env.js';
import { createMailbox } from '../../../src/mail/mailbox-tree.js';
import { storeFlags } from '../../../src/mail/store-flags.js';
import { mailboxStatus } from '../../../src/mail/status.js';
import { mailboxSnapshot } from '../../../src/mail/snapshot.js';
import { fetchMessages } from '../../../src/mail/fetch.js';
import { getMailboxById, type Mailbox } from '../../../src/mail/mailboxes.js';
import { ALL_UIDS } from '../../../src/mail/uid-set.js';

let m: MailEnv;
let box: Mailbox;

beforeAll(async () => {
  m = await createMailEnv();
  const an = await m.account('annv');
  box = await createMailbox(m.db, an.id, 'Cờ');
  for (let i = 1; i <= 5; i++) await m.append(box.id, message({ subject: `thư ${i}` }), { flags: i === 5 ? ['\\Seen'] : [] });
});
afterAll(async () => m?.stop());

const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e));
const flagsOf = async (uid: number) => (await fetchMessages(m.db, box.id, [[uid, uid]]))[0]?.flags;

describe('STORE (RFC 9051 §6.4.6)', () => {
  it('+FLAGS adds, returns new flags and one new MODSEQ for every changed message, and keeps UNSEEN right', async () => {
    const before = await mailboxStatus(m.db, box.id);
    const r = await storeFlags(m.db, { mailboxId: box.id, uids: [[1, 3]], action: 'add', flags: ['\\seen', '\\Flagged'] });
    expect(r.modseq).toBe(before.highestModseq + 1);
    expect(r.updated).toEqual([1, 2, 3].map((uid) => ({ uid, flags: ['\\Flagged', '\\Seen'], modseq: r.modseq })));
    // the new flags ride along, so selected sessions need not read them back
    expect(r.changes).toEqual([{ type: 'flags', mailboxId: box.id, uids: [1, 2, 3], modseq: r.modseq, flags: [1, 2, 3].map(() => ['\\Flagged', '\\Seen']) }]);
    const after = await mailboxStatus(m.db, box.id);
    expect(after.unseen).toBe(before.unseen - 3);
    expect(after.highestModseq).toBe(r.modseq);
  });

  it('a message whose flags would not change keeps its MODSEQ and is reported unchanged', async () => {
    const r = await storeFlags(m.db, { mailboxId: box.id, uids: [[1, 1]], action: 'add', flags: ['\\Seen'] });
    expect(r.updated).toEqual([]);
    expect(r.unchanged).toEqual([{ uid: 1, flags: ['\\Flagged', '\\Seen'], modseq: expect.any(Number) }]);
    expect(r.modseq).toBeNull();
    expect(r.changes).toEqual([]);
  });

  it('-FLAGS removes and FLAGS replaces', async () => {
    await storeFlags(m.db, { mailboxId: box.id, uids: [[2, 2]], action: 'remove', flags: ['\\Seen'] });
    expect(await flagsOf(2)).toEqual(['\\Flagged']);
    await storeFlags(m.db, { mailboxId: box.id, uids: [[2, 2]], action: 'set', flags: ['\\Draft', '\\Answered'] });
    expect(await flagsOf(2)).toEqual(['\\Answered', '\\Draft']);
    expect((await mailboxStatus(m.db, box.id)).unseen).toBe(2); // 2 and 4
  });

  it('keywords: kept in the spelling first used, matched case-insensitively, listed in the folder FLAGS', async () => {
    await storeFlags(m.db, { mailboxId: box.id, uids: [[3, 3]], action: 'add', flags: ['DaXuLy', '$Forwarded'] });
    await storeFlags(m.db, { mailboxId: box.id, uids: [[4, 4]], action: 'add', flags: ['daxuly'] });
    expect(await flagsOf(4)).toEqual(['DaXuLy']);
    await storeFlags(m.db, { mailboxId: box.id, uids: [[3, 3]], action: 'remove', flags: ['DAXULY'] });
    expect(await flagsOf(3)).toEqual(['\\Flagged', '\\Seen', '$Forwarded']);
    expect((await getMailboxById(m.db, box.id))!.keywords).toEqual(['DaXuLy', '$Forwarded']);
    // removing a keyword the folder never had does not add it to the list
    await storeFlags(m.db, { mailboxId: box.id, uids: ALL_UIDS, action: 'remove', flags: ['KhongCo'] });
    expect((await getMailboxById(m.db, box.id))!.keywords).not.toContain('KhongCo');
  });

  it('one message, system flags (migration 031): -FLAGS and +FLAGS keep UNSEEN and HIGHESTMODSEQ right; a UID not in the folder changes nothing', async () => {
    const before = await mailboxStatus(m.db, box.id);
    const off = await storeFlags(m.db, { mailboxId: box.id, uids: [[5, 5]], action: 'remove', flags: ['\\Seen'] });
    expect(off.updated).toEqual([{ uid: 5, flags: [], modseq: before.highestModseq + 1 }]);
    expect(await mailboxStatus(m.db, box.id)).toMatchObject({ unseen: before.unseen + 1, highestModseq: before.highestModseq + 1 });
    const on = await storeFlags(m.db, { mailboxId: box.id, uids: [[5, 5]], action: 'add', flags: ['\\Seen', '\\Answered'] });
    expect(on.updated).toEqual([{ uid: 5, flags: ['\\Answered', '\\Seen'], modseq: before.highestModseq + 2 }]);
    expect(await flagsOf(5)).toEqual(['\\Answered', '\\Seen']);
    const none = await storeFlags(m.db, { mailboxId: box.id, uids: [[99, 99]], action: 'add', flags: ['\\Seen'] });
    expect(none).toMatchObject({ updated: [], unchanged: [], modified: [], modseq: null });
    expect(await mailboxStatus(m.db, box.id)).toMatchObject({ unseen: before.unseen, highestModseq: before.highestModseq + 2 });
  });

  it('refuses \\Recent, unknown system flags and keywords that are not atoms (RFC 9051 §2.3.2)', async () => {
    for (const bad of ['\\Recent', '\\Important', 'has space', 'brack]et', 'quo"te', '']) {
      expect(await codeOf(storeFlags(m.db, { mailboxId: box.id, uids: ALL_UIDS, action: 'add', flags: [bad] }))).toBe('bad-flag');
    }
  });

  it('the snapshot shows the stored flags and per-message MODSEQs', async () => {
    const snap = await mailboxSnapshot(m.db, box.id);
    const fetched = await fetchMessages(m.db, box.id, ALL_UIDS);
    expect(snap.uids).toEqual(fetched.map((f) => f.uid));
    expect(snap.modseqs).toEqual(fetched.map((f) => f.modseq));
    expect(snap.flags.map((f) => [...f])).toEqual(fetched.map((f) => f.flags));
  });
});

describe('CONDSTORE UNCHANGEDSINCE (RFC 7162 §3.1.3)', () => {
  it('changes only messages whose MODSEQ is at most UNCHANGEDSINCE and returns the others as MODIFIED', async () => {
    const [one, two] = await fetchMessages(m.db, box.id, [[1, 2]]);
    // another session changes message 2 after the client read MODSEQs
    await storeFlags(m.db, { mailboxId: box.id, uids: [[2, 2]], action: 'add', flags: ['$Label1'] });
    const since = Math.max(one!.modseq, two!.modseq);
    const r = await storeFlags(m.db, { mailboxId: box.id, uids: [[1, 2]], action: 'add', flags: ['\\Deleted'], unchangedSince: since });
    expect(r.modified).toEqual([2]);
    expect(r.updated.map((u) => u.uid)).toEqual([1]);
    expect(await flagsOf(2)).not.toContain('\\Deleted');
    expect(await flagsOf(1)).toContain('\\Deleted');
  });

  it('UNCHANGEDSINCE 0 fails for every message', async () => {
    const r = await storeFlags(m.db, { mailboxId: box.id, uids: ALL_UIDS, action: 'add', flags: ['\\Answered'], unchangedSince: 0 });
    expect(r.modified).toEqual([1, 2, 3, 4, 5]);
    expect(r.updated).toEqual([]);
  });

  it('a message that passes the test but would not change is unchanged, not MODIFIED', async () => {
    const [five] = await fetchMessages(m.db, box.id, [[5, 5]]);
    const r = await storeFlags(m.db, { mailboxId: box.id, uids: [[5, 5]], action: 'add', flags: ['\\Seen'], unchangedSince: five!.modseq });
    expect(r).toMatchObject({ modified: [], updated: [], unchanged: [{ uid: 5, modseq: five!.modseq }] });
  });

  it('two sessions racing a conditional STORE on the same message: exactly one wins', async () => {
    const [four] = await fetchMessages(m.db, box.id, [[4, 4]]);
    const results = await Promise.all(
      ['$A', '$B', '$C', '$D'].map((k) => storeFlags(m.db, { mailboxId: box.id, uids: [[4, 4]], action: 'add', flags: [k], unchangedSince: four!.modseq })),
    );
    expect(results.filter((r) => r.updated.length === 1)).toHaveLength(1);
    expect(results.filter((r) => r.modified.length === 1)).toHaveLength(3);
  });

  it('concurrent STOREs each get their own MODSEQ', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((uid) => storeFlags(m.db, { mailboxId: box.id, uids: [[uid, uid]], action: 'add', flags: ['$Race'] })),
    );
    const modseqs = results.map((r) => r.modseq!);
    expect(new Set(modseqs).size).toBe(5);
    expect((await mailboxStatus(m.db, box.id)).highestModseq).toBe(Math.max(...modseqs));
  });

  it('concurrent STOREs on one message lose no flag, and the unseen count stays true', async () => {
    const keywords = ['$K1', '$K2', '$K3', '$K4', '$K5', '$K6'];
    await Promise.all([
      ...keywords.map((k) => storeFlags(m.db, { mailboxId: box.id, uids: [[2, 2]], action: 'add', flags: [k] })),
      ...[1, 2, 3, 4].map((i) => storeFlags(m.db, { mailboxId: box.id, uids: [[1, 5]], action: i % 2 ? 'remove' : 'add', flags: ['\\Seen'] })),
    ]);
    expect(await flagsOf(2)).toEqual(expect.arrayContaining(keywords));
    const seen = (await fetchMessages(m.db, box.id, ALL_UIDS)).filter((x) => x.flags.includes('\\Seen')).length;
    expect((await mailboxStatus(m.db, box.id)).unseen).toBe(5 - seen);
  });
});
